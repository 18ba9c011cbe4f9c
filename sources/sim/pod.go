package sim

import (
	"fmt"
	"time"
)

// createPod is the ReplicaSet controller creating a pod, followed by the
// scheduler, the kubelet starting it and its readiness.
func (e *engine) createPod(d *deployment, rs *replicaSet) {
	g := e.g
	p := e.newPod(d, rs)
	p.created = e.now
	e.watch("ADDED", p)
	e.after(g.secs(0.005, 0.05), func() {
		if p.deleting {
			return
		}
		p.scheduled = e.now
		p.node = e.pickNode(d)
		e.after(g.secs(0.8, 2), func() { e.sandboxUp(p) })
	})
}

// sandboxUp creates the pod sandbox: the pod gets its IP.
func (e *engine) sandboxUp(p *pod) {
	if p.deleting {
		return
	}
	ip, ok := p.node.ips.alloc()
	if !ok {
		return // the pod stays Pending
	}
	g := e.g
	p.ip, p.sandbox = ip, e.now
	e.after(g.secs(0.5, 2), func() {
		if p.deleting {
			return
		}
		p.started = e.now
		p.listening = e.now + g.secs(1, 4)
		// The readiness probe runs every 5 s from a random phase.
		probe := e.now + g.secs(0, 5)
		for probe < p.listening {
			probe += 5 * time.Second
		}
		e.at(probe, func() {
			if p.deleting {
				return
			}
			p.containersReady = e.now
			e.checkReady(p)
		})
		e.after(200*time.Millisecond, func() {
			e.watch("MODIFIED", p) // Running, podIP, not ready
			e.after(g.secs(0.05, 0.3), func() {
				if p.deleting {
					return
				}
				p.inSlice = e.now // the EndpointSlice lists the (not ready) endpoint
				e.kickNEG(p.d.negZone(p.node.zone))
			})
		})
	})
}

// checkReady makes the pod Ready once its containers are ready and the NEG
// readiness gate is true.
func (e *engine) checkReady(p *pod) {
	if p.deleting || p.ready != never || p.containersReady > e.now || p.negReady > e.now {
		return
	}
	p.ready = e.now
	e.watch("MODIFIED", p)
	e.kickDeploy(p.d)
}

// terminate is the API server accepting the pod's deletion (T0), and all
// that follows: EndpointSlice update, kubelet Killing, preStop, SIGTERM, the
// app's shutdown, SIGKILL at the end of the grace period, the final status
// and the pod object's removal.
func (e *engine) terminate(p *pod) {
	g, cfg := e.g, p.d.cfg
	p.deleting = true
	p.t0 = e.now
	e.watch("MODIFIED", p)
	e.kickDeploy(p.d) // the ReplicaSet's status changed
	if p.started == never {
		// Never ran: kubelet has nothing to stop.
		p.gone = e.now + g.secs(0.3, 1.5)
		if p.sandbox != never {
			p.ipFreed = p.gone
			e.at(p.ipFreed, func() { p.node.ips.free(p.ip) })
		}
		e.at(p.gone, func() { e.watch("DELETED", p) })
		return
	}
	p.sliceTerminating = e.now + g.secs(0.05, 0.3)
	e.at(p.sliceTerminating, func() { e.kickNEG(p.d.negZone(p.node.zone)) })

	grace := time.Duration(cfg.Grace) * time.Second
	p.killing = e.now + g.secs(0.2, 1.5)
	var hook time.Duration
	switch cfg.PreStop.Kind {
	case PreStopExecSleep:
		if cfg.PreStop.Fails {
			hook = g.secs(0.05, 0.3)
			p.preStopFailed = p.killing + hook
		} else {
			hook = time.Duration(cfg.PreStop.Seconds)*time.Second + g.secs(0.03, 0.15)
		}
	case PreStopSleep:
		hook = time.Duration(cfg.PreStop.Seconds)*time.Second + g.secs(0.001, 0.005)
	}
	hook = min(hook, grace) // the hook gets at most the grace period
	p.sigterm = p.killing + hook + g.secs(0.001, 0.01)
	p.sigkill = p.sigterm + max(grace-hook, 2*time.Second)

	app := cfg.App
	shutdown := time.Duration(app.Seconds * float64(time.Second))
	code := app.ExitCode
	switch app.Kind {
	case AppDrain503:
		p.stopServing = p.sigterm + g.secs(0, 0.005)
		p.exit = p.sigterm + shutdown
		p.stopListening = p.exit
	case AppGraceful:
		p.exit = p.sigterm + shutdown
		p.stopServing, p.stopListening = p.exit, p.exit
	default: // AppExit
		p.stopServing = p.sigterm + g.secs(0, 0.01)
		p.stopListening = p.stopServing
		p.exit = p.sigterm + g.secs(0.1, 0.5)
	}
	if p.exit > p.sigkill {
		p.exit, code = p.sigkill, 137
		p.stopServing = min(p.stopServing, p.sigkill)
		p.stopListening = min(p.stopListening, p.sigkill)
	}
	p.exitCode = code
	p.exitReason = "Error"
	if code == 0 {
		p.exitReason = "Completed"
	}
	p.statusTerminated = p.exit + g.secs(0.3, 1.5)
	p.ipFreed = p.exit + g.secs(1, 4)
	p.gone = p.statusTerminated + g.secs(0.5, 2.5)

	e.at(p.killing, func() {
		e.rec.podEvent(p, "Normal", "Killing", "Stopping container "+containerName)
	})
	if p.preStopFailed != never {
		e.at(p.preStopFailed, func() {
			e.rec.podEvent(p, "Warning", "FailedPreStopHook", preStopFailure(p))
		})
	}
	e.at(p.statusTerminated, func() { e.watch("MODIFIED", p) })
	e.at(p.ipFreed, func() { p.node.ips.free(p.ip) })
	e.at(p.gone, func() {
		e.watch("DELETED", p)
		e.kickNEG(p.d.negZone(p.node.zone))
	})
}

// containerName is the name of every simulated pod's only container.
const containerName = "app"

// preStopCommand is the exec preStop command of a workload.
func preStopCommand(seconds int) []string {
	return []string{"/bin/sh", "-c", fmt.Sprintf("sleep %d", seconds)}
}

// preStopFailure is kubelet's FailedPreStopHook message. Current kubelets
// leave the hook's output out so that secrets cannot leak into events.
func preStopFailure(*pod) string { return "PreStopHook failed" }

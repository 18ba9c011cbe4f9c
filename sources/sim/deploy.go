package sim

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// act applies a scenario action to a Deployment.
func (e *engine) act(d *deployment, a Action) {
	switch a.Kind {
	case ActionRollout:
		img := a.Image
		if img == "" {
			img = nextImage(d.current.image)
		}
		var rs *replicaSet
		for _, r := range d.rss {
			if r.image == img { // a rollback returns to the old ReplicaSet
				rs = r
			}
		}
		if rs == nil {
			rs = e.newReplicaSet(d, img)
		}
		d.current = rs
	case ActionScale:
		if a.HPA {
			reason := "All metrics below target"
			if a.Replicas > d.replicas {
				reason = "cpu resource utilization (percentage of request) above target"
			}
			e.rec.hpaEvent(d, fmt.Sprintf("New size: %d; reason: %s", a.Replicas, reason))
		}
		d.replicas = a.Replicas
	}
	e.kickDeploy(d)
}

// nextImage derives a new image tag: "app:1.4.2" → "app:1.4.3".
func nextImage(img string) string {
	i := strings.LastIndexByte(img, '.')
	if i < 0 || i == len(img)-1 {
		return img + "-next"
	}
	n := 0
	for _, c := range img[i+1:] {
		if c < '0' || c > '9' {
			return img + "-next"
		}
		n = n*10 + int(c-'0')
	}
	return fmt.Sprintf("%s.%d", img[:i], n+1)
}

// kickDeploy schedules a reconcile of the Deployment (and its ReplicaSet
// controller) shortly, once.
func (e *engine) kickDeploy(d *deployment) {
	if d.reconcile != never {
		return
	}
	d.reconcile = e.now + e.g.secs(0.02, 0.15)
	e.at(d.reconcile, func() {
		d.reconcile = never
		e.reconcileDeploy(d)
	})
}

// live returns the pods of rs that are not being deleted.
func (d *deployment) live(rs *replicaSet) []*pod {
	var out []*pod
	for _, p := range d.pods {
		if p.rs == rs && !p.deleting {
			out = append(out, p)
		}
	}
	return out
}

// reconcileDeploy is the Deployment controller's rolling update (maxSurge /
// maxUnavailable) or plain scaling, counting pods that are not being
// deleted.
func (e *engine) reconcileDeploy(d *deployment) {
	newPods := d.live(d.current)
	var old []*replicaSet
	oldN := 0
	for _, rs := range d.rss {
		if rs != d.current {
			if n := len(d.live(rs)); n > 0 {
				old = append(old, rs)
				oldN += n
			}
		}
	}
	if oldN == 0 {
		n := len(newPods)
		switch {
		case n < d.replicas:
			e.scaleUp(d, d.current, n, d.replicas-n)
		case n > d.replicas:
			e.scaleDown(d, d.current, n-d.replicas)
		}
		return
	}
	surge, unavail := d.cfg.MaxSurge, d.cfg.MaxUnavail
	if surge == 0 && unavail == 0 {
		surge = 1
	}
	if up := min(d.replicas+surge-(len(newPods)+oldN), d.replicas-len(newPods)); up > 0 {
		e.scaleUp(d, d.current, len(newPods), up)
	}
	avail := 0
	for _, rs := range append([]*replicaSet{d.current}, old...) {
		for _, p := range d.live(rs) {
			if p.ready <= e.now {
				avail++
			}
		}
	}
	down := min(avail-(d.replicas-unavail), oldN)
	for _, rs := range old {
		if down <= 0 {
			break
		}
		n := min(down, len(d.live(rs)))
		e.scaleDown(d, rs, n)
		down -= n
	}
}

// scaleUp records the ScalingReplicaSet event and creates n pods of rs.
func (e *engine) scaleUp(d *deployment, rs *replicaSet, from, n int) {
	e.rec.deployEvent(d, fmt.Sprintf("Scaled up replica set %s from %d to %d", rs.name, from, from+n))
	t := e.now
	for i := 0; i < n; i++ {
		t += e.g.secs(0.01, 0.12)
		e.at(t, func() { e.createPod(d, rs) })
	}
}

// scaleDown records the ScalingReplicaSet event and deletes n pods of rs,
// chosen as the ReplicaSet controller ranks them: not ready first, then the
// most recently ready, then the newest.
func (e *engine) scaleDown(d *deployment, rs *replicaSet, n int) {
	pods := d.live(rs)
	e.rec.deployEvent(d, fmt.Sprintf("Scaled down replica set %s from %d to %d", rs.name, len(pods), len(pods)-n))
	slices.SortStableFunc(pods, func(a, b *pod) int {
		ra, rb := a.ready <= e.now, b.ready <= e.now
		if ra != rb {
			if !ra {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.ready, a.ready); c != 0 {
			return c
		}
		return cmp.Compare(b.created, a.created)
	})
	t := e.now
	for _, p := range pods[:n] {
		p.deleting = true
		t += e.g.secs(0.01, 0.12)
		e.at(t, func() { e.terminate(p) })
	}
}

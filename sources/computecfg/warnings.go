package computecfg

import "fmt"

// Warnings says which backend services hide errors from the LB request
// logs: logging off (no error can be seen) or sampled (counts are scaled by
// 1/rate and are estimates). One message per affected backend service, in
// the order given; none when every service logs every request.
func Warnings(b []Backend) []string {
	var w []string
	for i := range b {
		be := &b[i]
		switch {
		case !be.LogEnabled:
			w = append(w, fmt.Sprintf("LB logging is off for backend service %s: its 502/503s cannot be seen; "+
				"enable BackendConfig spec.logging.enable: true (sampleRate: 1.0) on the Service that backs it", be.Name))
		case be.SampleRate <= 0:
			w = append(w, fmt.Sprintf("LB logging of backend service %s is on but sampled at 0: no request is logged; "+
				"set BackendConfig spec.logging.sampleRate: 1.0", be.Name))
		case be.SampleRate < 1:
			w = append(w, fmt.Sprintf("LB logging of backend service %s is sampled at %g: counts are scaled ×%.3g and are estimates; "+
				"set BackendConfig spec.logging.sampleRate: 1.0 for exact counts", be.Name, be.SampleRate, 1/be.SampleRate))
		}
	}
	return w
}

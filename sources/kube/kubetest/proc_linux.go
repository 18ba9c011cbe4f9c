package kubetest

import "syscall"

// sysProcAttr kills the servers if the test binary dies without cleaning up
// (a test timeout's panic, a kill).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

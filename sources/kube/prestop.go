package kube

import (
	"math"
	"path"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// shells are the shells whose "-c SCRIPT" form preStopFrom reads
// (compared by base name: sh, /bin/sh, /busybox/sh...).
var shells = []string{"sh", "bash", "ash", "dash"}

// preStopFrom describes a preStop handler. A native sleep action gives
// PreStopSleep; an exec of `sleep N` (or a shell whose -c script starts
// with `sleep N`) gives PreStopExecSleep with its duration; any other exec
// PreStopExec; httpGet PreStopHTTP; nothing (or the unsupported tcpSocket)
// PreStopNone.
func preStopFrom(h *corev1.LifecycleHandler) PreStop {
	switch {
	case h == nil:
		return PreStop{Kind: PreStopNone}
	case h.Sleep != nil:
		return PreStop{Kind: PreStopSleep, Seconds: float64(max(h.Sleep.Seconds, 0))}
	case h.Exec != nil:
		cmd := slices.Clone(h.Exec.Command)
		if s, ok := execSleepSeconds(cmd); ok {
			return PreStop{Kind: PreStopExecSleep, Seconds: s, Command: cmd}
		}
		return PreStop{Kind: PreStopExec, Command: cmd}
	case h.HTTPGet != nil:
		return PreStop{Kind: PreStopHTTP}
	}
	return PreStop{Kind: PreStopNone}
}

// execSleepSeconds reports how long an exec command sleeps before doing
// anything else: `sleep N...` directly, or a shell's `-c` script that
// starts with `sleep N...` followed by nothing, `;`, `&&`, `||` or a
// newline.
func execSleepSeconds(cmd []string) (float64, bool) {
	if len(cmd) == 0 {
		return 0, false
	}
	name := path.Base(cmd[0])
	if name == "sleep" {
		return sleepArgs(cmd[1:])
	}
	if !slices.Contains(shells, name) {
		return 0, false
	}
	// Options before the script: -c, or combined forms such as -ec, -xc;
	// other options (-e, -x, -l) may come first.
	for i := 1; i < len(cmd); i++ {
		a := cmd[i]
		if a == "--" || !strings.HasPrefix(a, "-") || len(a) < 2 {
			return 0, false
		}
		if strings.HasPrefix(a, "--") { // --norc, --login
			continue
		}
		if strings.ContainsRune(a[1:], 'c') {
			if i+1 >= len(cmd) {
				return 0, false
			}
			return scriptSleepSeconds(cmd[i+1])
		}
	}
	return 0, false
}

// scriptSleepSeconds reads a leading `sleep N...` command of a shell script.
func scriptSleepSeconds(script string) (float64, bool) {
	s := strings.TrimLeft(script, " \t\r\n")
	rest, ok := strings.CutPrefix(s, "sleep")
	if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
		return 0, false
	}
	// The sleep command ends at the first separator; a single & would run
	// it in the background, so it does not delay anything.
	end := len(rest)
	if i := strings.IndexAny(rest, ";&|\n#"); i >= 0 {
		end = i
		sep := rest[i:]
		if !(strings.HasPrefix(sep, ";") || strings.HasPrefix(sep, "&&") ||
			strings.HasPrefix(sep, "||") || strings.HasPrefix(sep, "\n") || strings.HasPrefix(sep, "#")) {
			return 0, false
		}
	}
	return sleepArgs(strings.Fields(rest[:end]))
}

// sleepArgs sums the durations of sleep's arguments, as GNU and busybox
// sleep do. Each is a non-negative decimal number with an optional unit
// suffix s, m, h or d; quotes around an argument are accepted. Anything
// else (variables, 2m30s) is unknown.
func sleepArgs(args []string) (float64, bool) {
	if len(args) == 0 {
		return 0, false
	}
	var total float64
	for _, a := range args {
		s, ok := sleepDuration(unquote(a))
		if !ok {
			return 0, false
		}
		total += s
	}
	if math.IsInf(total, 0) { // 1e400 digits: no real hook sleeps that long
		return 0, false
	}
	return total, true
}

// unquote strips one pair of matching shell quotes.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// sleepDuration reads one sleep argument such as 40, 40s, 1.5, .5m or 1h.
func sleepDuration(s string) (float64, bool) {
	mult := 1.0
	if s != "" {
		switch s[len(s)-1] {
		case 's':
			s = s[:len(s)-1]
		case 'm':
			s, mult = s[:len(s)-1], 60
		case 'h':
			s, mult = s[:len(s)-1], 3600
		case 'd':
			s, mult = s[:len(s)-1], 86400
		}
	}
	// Digits with at most one dot: ParseFloat alone would accept inf, 1e3, 0x1p4.
	digits, dots := 0, 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.':
			dots++
		default:
			return 0, false
		}
	}
	if digits == 0 || dots > 1 {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return f * mult, true
}

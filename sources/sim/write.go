package sim

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Files written by Write.
const (
	FileLB        = "lb-requests.jsonl.gz"
	FileLBPlain   = "lb-requests.jsonl"
	FileLBOverlap = "lb-requests-overlap.jsonl"
	FileAudit     = "neg-audit.json"
	FileEvents    = "events.json"
	FilePods      = "pods.json"
	FileSlices    = "endpointslices.json"
	FileServices  = "services.json"
	FileTruth     = "truth.json"
)

// Options tune Write beyond the World's Config.
type Options struct {
	// LBEntries, when > 0, overrides Config.LBEntries.
	LBEntries int
	// PlainLB writes lb-requests.jsonl (no gzip) instead of lb-requests.jsonl.gz.
	PlainLB bool
}

// Summary says what Write wrote.
type Summary struct {
	Files        []string // base names, in writing order
	LBEntries    int
	LB5xx        int
	RaceErrors   int
	Terminations int
}

// Write writes the World's evidence files and truth.json into dir (created
// if needed), replacing files of an earlier run. The LB traffic is
// generated while it is written, so memory stays flat whatever its size.
func Write(dir string, w *World, opts Options) (Summary, error) {
	var sum Summary
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return sum, fmt.Errorf("write simulation: %w", err)
	}
	for _, name := range []string{FileLB, FileLBPlain, FileLBOverlap, FileAudit} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return sum, fmt.Errorf("write simulation: %w", err)
		}
	}
	put := func(name string, write func(io.Writer) error) error {
		if err := writeFile(filepath.Join(dir, name), write); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		sum.Files = append(sum.Files, name)
		return nil
	}
	services, err := serviceObjects(w)
	if err != nil {
		return sum, fmt.Errorf("write %s: %w", FileServices, err)
	}
	steps := []struct {
		name  string
		write func(io.Writer) error
	}{
		{FileServices, kubectlJSON(kubeList(services))},
		{FileSlices, kubectlJSON(kubeList(sliceObjects(w)))},
		{FilePods, func(out io.Writer) error {
			for _, doc := range podDocs(w) {
				if err := kubectlJSON(doc)(out); err != nil {
					return err
				}
			}
			return nil
		}},
		{FileEvents, gcloudJSON(eventEntries(w))},
	}
	if !w.Config.Evidence.OmitAudit {
		steps = append(steps, struct {
			name  string
			write func(io.Writer) error
		}{FileAudit, gcloudJSON(auditEntries(w))})
	}
	for _, s := range steps {
		if err := put(s.name, s.write); err != nil {
			return sum, err
		}
	}

	lbEntries := w.Config.LBEntries
	if opts.LBEntries > 0 {
		lbEntries = opts.LBEntries
	}
	var errs []TruthError
	var entries int
	lbName := FileLB
	if opts.PlainLB {
		lbName = FileLBPlain
	}
	err = put(lbName, func(out io.Writer) error {
		var n int
		var werr error
		n, errs, werr = writeTraffic(dir, w, out, lbEntries, !opts.PlainLB)
		entries = n
		return werr
	})
	if err != nil {
		return sum, err
	}
	if ev := w.Config.Evidence; ev.OverlapTo > ev.OverlapFrom {
		sum.Files = append(sum.Files, FileLBOverlap)
	}
	tr := buildTruth(w, entries, errs)
	if err := put(FileTruth, func(out io.Writer) error {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(tr)
	}); err != nil {
		return sum, err
	}
	sum.LBEntries, sum.LB5xx, sum.RaceErrors = entries, len(errs), tr.ByCause[CauseRace]
	sum.Terminations = len(tr.Terminations)
	return sum, nil
}

// writeTraffic streams the LB entries to out (gzip-compressed when gz) and
// the overlapping slice to lb-requests-overlap.jsonl, and returns the
// number of entries and the truth of the 5xx ones.
func writeTraffic(dir string, w *World, out io.Writer, lbEntries int, gz bool) (int, []TruthError, error) {
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(out)
		out = zw
	}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)

	ev := w.Config.Evidence
	var overlap *json.Encoder
	var overlapFile *os.File
	var overlapBuf *bufio.Writer
	if ev.OverlapTo > ev.OverlapFrom {
		f, err := os.Create(filepath.Join(dir, FileLBOverlap))
		if err != nil {
			return 0, nil, err
		}
		overlapFile = f
		defer overlapFile.Close()
		overlapBuf = bufio.NewWriter(f)
		overlap = json.NewEncoder(overlapBuf)
		overlap.SetEscapeHTML(false)
	}

	tr := newTraffic(w, lbEntries)
	em := newEntryMaker(w, newRNG(w.Seed, streamCosmetic))
	var errs []TruthError
	n := 0
	for {
		r, ok := tr.next()
		if !ok {
			break
		}
		e := em.entry(&r)
		if err := enc.Encode(&e); err != nil {
			return n, errs, err
		}
		n++
		if overlap != nil && ev.OverlapFrom <= r.at && r.at < ev.OverlapTo {
			if err := overlap.Encode(&e); err != nil {
				return n, errs, fmt.Errorf("%s: %w", FileLBOverlap, err)
			}
		}
		if r.status >= 500 {
			te := TruthError{
				InsertID: e.InsertID, Timestamp: w.abs(r.at), Status: r.status, StatusDetails: r.details,
				ServerIP: r.serverIP, BackendService: r.d.neg, Cause: r.cause, Reason: r.reason,
			}
			if r.m != nil {
				name := r.m.p.key()
				te.Pod, te.PodUID = &name, r.m.p.uid
			}
			errs = append(errs, te)
		}
	}
	if overlapBuf != nil {
		if err := overlapBuf.Flush(); err != nil {
			return n, errs, fmt.Errorf("%s: %w", FileLBOverlap, err)
		}
		if err := overlapFile.Close(); err != nil {
			return n, errs, fmt.Errorf("%s: %w", FileLBOverlap, err)
		}
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return n, errs, err
		}
	}
	return n, errs, nil
}

// writeFile creates path and writes it through a buffer.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	if err := write(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// kubectlJSON prints v as kubectl's JSON printer does: keys sorted (maps),
// 4-space indent, a newline after each document.
func kubectlJSON(v any) func(io.Writer) error {
	return func(out io.Writer) error {
		b, err := json.MarshalIndent(v, "", "    ")
		if err != nil {
			return err
		}
		_, err = out.Write(append(b, '\n'))
		return err
	}
}

// gcloudJSON prints entries as `gcloud logging read --format=json` does: one
// array, 2-space indent, keys sorted.
func gcloudJSON(es []gcloudEntry) func(io.Writer) error {
	return func(out io.Writer) error {
		arr := make([]any, 0, len(es))
		for _, e := range es {
			arr = append(arr, e.entry)
		}
		enc := json.NewEncoder(out)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(arr)
	}
}

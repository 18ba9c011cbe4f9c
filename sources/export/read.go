package export

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/negtrace/negtrace/analyzer"
)

// Options configures Read.
type Options struct {
	Collector   *analyzer.Collector // Required. Receives every record and one analyzer.Input per input.
	Logger      *slog.Logger        // Required. Read logs one Info line per input (path, kind, records, skipped, duration...).
	Progress    io.Writer           // If non-nil and a terminal, a progress bar of the bytes read across all inputs is drawn on it.
	MaxProblems int                 // Problems kept per input; 0 means 10. Further problems are only counted.
	MaxDocument int                 // Largest single document or line kept, in bytes; 0 means 256 MiB. Larger ones are skipped.
	FS          fs.FS               // If non-nil, paths name files and folders in FS (fs.ValidPath form) instead of on disk, e.g. an embedded incident.
}

// defaultMaxDocument is Options.MaxDocument when it is zero.
const defaultMaxDocument = 256 << 20

// validate checks opts and fills in defaults.
func (o *Options) validate() error {
	switch {
	case o.Collector == nil:
		return errors.New("export: Options.Collector is required")
	case o.Logger == nil:
		return errors.New("export: Options.Logger is required")
	case o.MaxProblems < 0, o.MaxDocument < 0:
		return errors.New("export: Options.MaxProblems and MaxDocument must not be negative")
	}
	if o.MaxProblems == 0 {
		o.MaxProblems = defaultMaxProblems
	}
	if o.MaxDocument == 0 {
		o.MaxDocument = defaultMaxDocument
	}
	return nil
}

// Read reads every input in paths into opts.Collector. A path is a file or
// a folder, walked recursively in lexical order, skipping hidden files and
// folders (names starting with "."). Each file found is one input: its kind
// is detected from its content (see the Kind constants; gzip is undone
// first), and what it gave is recorded with Collector.AddInput, along with
// the first problems. A path that does not exist or cannot be read is an
// input of kind "unreadable" with a problem; Read goes on with the others.
//
// Read returns an error only when opts are invalid or ctx is done; what was
// read before cancellation stays in the collector. It blocks until every
// input is read and is not safe to run twice at once on one Collector.
func Read(ctx context.Context, paths []string, opts Options) error {
	if err := opts.validate(); err != nil {
		return err
	}
	var inputs []input
	if opts.FS != nil {
		inputs = expandFS(opts.FS, paths)
	} else {
		inputs = expand(paths)
	}
	var total int64
	for _, in := range inputs {
		total += in.size
	}
	r := &run{opts: opts, progress: newProgress(opts.Progress, total)}
	defer r.progress.finish()
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("read inputs: %w", err)
		}
		if err := r.input(ctx, in); err != nil {
			return fmt.Errorf("read %s: %w", in.path, err)
		}
	}
	return nil
}

// input is one file to read, or a path that failed before reading.
type input struct {
	path string
	size int64
	err  error // set when the path could not be listed or is not a file
}

// expand turns the paths given into the list of inputs: folders walked,
// hidden entries skipped, each file once.
func expand(paths []string) []input {
	var inputs []input
	seen := make(map[string]bool)
	add := func(in input) {
		key := filepath.Clean(in.path)
		if seen[key] {
			return
		}
		seen[key] = true
		inputs = append(inputs, in)
	}
	for _, root := range paths {
		fi, err := os.Stat(root)
		if err != nil {
			add(input{path: root, err: err})
			continue
		}
		if !fi.IsDir() {
			add(input{path: root, size: fi.Size()})
			continue
		}
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				add(input{path: path, err: err})
				return nil
			}
			if path != root && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			fi, err := d.Info()
			switch {
			case err != nil:
				add(input{path: path, err: err})
			case fi.Mode().IsRegular():
				add(input{path: path, size: fi.Size()})
			case fi.Mode()&fs.ModeSymlink != 0:
				// Follow links to files; links to folders are not walked.
				if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
					add(input{path: path, size: st.Size()})
				}
			}
			return nil
		})
		if err != nil {
			add(input{path: root, err: err})
		}
	}
	return inputs
}

// expandFS is expand for paths inside fsys.
func expandFS(fsys fs.FS, paths []string) []input {
	var inputs []input
	seen := make(map[string]bool)
	for _, root := range paths {
		err := fs.WalkDir(fsys, root, func(path string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				inputs = append(inputs, input{path: path, err: err})
				return nil
			case path != root && strings.HasPrefix(d.Name(), "."):
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			case d.IsDir() || seen[path]:
				return nil
			}
			seen[path] = true
			fi, err := d.Info()
			if err != nil {
				inputs = append(inputs, input{path: path, err: err})
				return nil
			}
			inputs = append(inputs, input{path: path, size: fi.Size()})
			return nil
		})
		if err != nil {
			inputs = append(inputs, input{path: root, err: err})
		}
	}
	return inputs
}

// run is the state of one Read call.
type run struct {
	opts     Options
	progress *progress
	raw, dec *bufio.Reader // for the file and for gzip's output, reused across inputs
	bufSize  int           // of raw and dec; 0 means bufferSize (tests make it small)
}

// bufferSize is the size of the read buffers: lines up to that size are
// read without copying.
const bufferSize = 1 << 20

// input reads one input and records it.
func (r *run) input(ctx context.Context, in input) error {
	start := time.Now()
	t := &tally{path: in.path, kind: KindUnreadable, max: r.opts.MaxProblems}
	if in.err != nil {
		t.skip(0, "%v", pathError(in.err))
	} else if err := r.read(ctx, in, t); err != nil {
		return err
	}
	r.opts.Collector.AddInput(t.input())
	r.progress.clear()
	r.opts.Logger.Info("read input", t.logArgs(time.Since(start))...)
	return nil
}

// pathError drops the path an fs error repeats: problems already start with it.
func pathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// read opens and reads one file. It returns only ctx's error.
func (r *run) read(ctx context.Context, in input, t *tally) error {
	var f io.ReadCloser
	var err error
	if r.opts.FS != nil {
		f, err = r.opts.FS.Open(in.path)
	} else {
		f, err = os.Open(in.path)
	}
	if err != nil {
		t.skip(0, "%v", pathError(err))
		return nil
	}
	defer f.Close()
	return r.stream(ctx, &countingReader{r: f, n: &t.bytes, progress: r.progress}, t)
}

// stream decompresses and detects one input, then reads its documents. It
// returns only ctx's error.
func (r *run) stream(ctx context.Context, src io.Reader, t *tally) error {
	size := bufferSize
	if r.bufSize > 0 {
		size = r.bufSize
	}
	br := reuse(&r.raw, src, size)
	if isGzip(br) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			t.skip(0, "gzip: %v", err)
			return nil
		}
		defer zr.Close()
		br = reuse(&r.dec, zr, size)
	}
	lay, why, err := detect(br)
	if err != nil {
		t.skip(0, "read: %v", err)
		return nil
	}
	s := &sink{c: r.opts.Collector, t: t}
	switch lay {
	case layoutNDJSON:
		err = readNDJSON(ctx, br, s, r.opts.MaxDocument)
	case layoutJSON:
		sp := &splitter{br: br, t: t, yield: s.document, maxSize: r.opts.MaxDocument}
		err = sp.run(ctx)
	case layoutYAML:
		err = readYAML(ctx, br, s, r.opts.MaxDocument)
	default:
		if why == "empty" {
			t.problem(0, "empty file")
		} else {
			t.skip(0, "not a supported format (%s)", why)
		}
		return nil
	}
	t.kind = kindOf(lay, s)
	return err
}

// reuse resets the reader in *slot to read from src, creating it once.
func reuse(slot **bufio.Reader, src io.Reader, size int) *bufio.Reader {
	if *slot == nil {
		*slot = bufio.NewReaderSize(src, size)
	} else {
		(*slot).Reset(src)
	}
	return *slot
}

// kindOf names an input's kind from its layout and first usable document.
func kindOf(lay layout, s *sink) string {
	switch {
	case s.class == classNegtrace:
		return KindNegtrace
	case lay == layoutYAML:
		return KindYAML
	case s.class == classKube && (s.watch || s.docs > 1):
		return KindKubectlWatch
	case s.class == classKube:
		return KindKubectlJSON
	case lay == layoutNDJSON:
		return KindCloudLoggingNDJSON
	}
	return KindCloudLoggingJSON
}

// countingReader counts the bytes read from a file and moves the progress bar.
type countingReader struct {
	r        io.Reader
	n        *int64
	progress *progress
}

// Read implements io.Reader.
func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	c.progress.add(n)
	return n, err
}

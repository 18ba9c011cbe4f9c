package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// stubResolver stands in for a registry: every base image resolves to an
// empty Linux image of the requested platform, so the linter runs offline.
// It records the references it was asked for.
type stubResolver struct{ refs []string }

func (s *stubResolver) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	s.refs = append(s.refs, ref)
	p := ocispecs.Platform{OS: "linux", Architecture: runtime.GOARCH}
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		p = *opt.ImageOpt.Platform
	}
	img := map[string]any{
		"os":           p.OS,
		"architecture": p.Architecture,
		"config":       map[string]any{"Env": []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}},
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{}},
	}
	dt, err := json.Marshal(img)
	if err != nil {
		return "", "", nil, fmt.Errorf("stub image config: %w", err)
	}
	return ref, digest.FromBytes(dt), dt, nil
}

// lintDockerfile runs BuildKit's linter (its default rules, plus those the
// file enables with a "# check=" directive) over every stage of the
// Dockerfile dt, named path in messages. It returns each warning and build
// error as "path:line: rule: detail", and the base images the stages use.
func lintDockerfile(ctx context.Context, path string, dt []byte) (problems, bases []string, err error) {
	resolver := &stubResolver{}
	// The results need a source map with an LLB definition; any will do.
	src := llb.Local("dockerfile")
	def, err := src.Marshal(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("lint %s: source map: %w", path, err)
	}
	sm := llb.NewSourceMap(&src, filepath.Base(path), "Dockerfile", dt)
	sm.Definition = def
	platform := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	res, err := dockerfile2llb.DockerfileLint(ctx, dt, dockerfile2llb.ConvertOpt{
		Config: dockerui.Config{
			BuildArgs:       map[string]string{},
			TargetPlatforms: []ocispecs.Platform{platform},
			BuildPlatforms:  []ocispecs.Platform{platform},
		},
		SourceMap:      sm,
		TargetPlatform: &platform,
		MetaResolver:   resolver,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("lint %s: %w", path, err)
	}
	if res.Error != nil {
		problems = append(problems, fmt.Sprintf("%s%s: error: %s", path, lines(res.Error.Location.Ranges), res.Error.Message))
	}
	for _, w := range res.Warnings {
		var where string
		if w.Location != nil {
			where = lines(w.Location.Ranges)
		}
		problems = append(problems, fmt.Sprintf("%s%s: %s: %s (%s)", path, where, w.RuleName, w.Detail, w.URL))
	}
	return problems, resolver.refs, nil
}

// lines formats the first line of each range as ":N".
func lines(rs []*pb.Range) string {
	var s string
	for _, r := range rs {
		s += fmt.Sprintf(":%d", r.GetStart().GetLine())
	}
	return s
}

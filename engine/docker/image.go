package docker

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/compose-spec/compose-go/v2/types"
	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/go-connections/nat"

	"github.com/berth-dev/berth/engine"
)

// imageInfo is what a container's config needs of its image.
type imageInfo struct {
	Ref     string // as the service names it
	ID      string
	Exposed nat.PortSet
}

// imageRef is the image a service runs: `image:`, else Compose's name for
// a built one, <project>-<service>.
func imageRef(project string, svc types.ServiceConfig) string {
	if svc.Image != "" {
		return svc.Image
	}
	return project + "-" + svc.Name
}

// readyImage makes sure the service's image is there, as Compose's
// pull_policy says (missing by default: pull or build only when absent;
// always; never; build: build every time), reporting progress.
func (r *Runtime) readyImage(ctx context.Context, svc types.ServiceConfig, rep *reporter) (imageInfo, error) {
	if svc.Image == "" && svc.Build == nil {
		return imageInfo{}, fmt.Errorf("service %s has neither image nor build to run as a container", svc.Name)
	}
	ref := imageRef(r.project.Name, svc)
	policy := svc.PullPolicy
	switch {
	case svc.Build != nil && policy == types.PullPolicyBuild:
		if err := r.build(ctx, svc, ref, rep); err != nil {
			return imageInfo{}, err
		}
	case svc.Build == nil && policy == types.PullPolicyAlways:
		if err := r.pull(ctx, svc, ref, rep); err != nil {
			return imageInfo{}, err
		}
	}
	info, err := r.inspectImage(ctx, ref)
	if err == nil || !cerrdefs.IsNotFound(err) {
		return info, err
	}
	switch {
	case svc.Build != nil:
		err = r.build(ctx, svc, ref, rep)
	case policy == types.PullPolicyNever:
		return imageInfo{}, fmt.Errorf("image %s not found, and pull_policy is never", ref)
	default:
		err = r.pull(ctx, svc, ref, rep)
	}
	if err != nil {
		return imageInfo{}, err
	}
	return r.inspectImage(ctx, ref)
}

func (r *Runtime) inspectImage(ctx context.Context, ref string) (imageInfo, error) {
	img, err := r.cli.ImageInspect(ctx, ref)
	if err != nil {
		return imageInfo{}, fmt.Errorf("inspecting image %s: %w", ref, err)
	}
	info := imageInfo{Ref: ref, ID: img.ID, Exposed: nat.PortSet{}}
	if img.Config != nil {
		for p := range img.Config.ExposedPorts {
			info.Exposed[nat.Port(p)] = struct{}{}
		}
	}
	return info, nil
}

// pull pulls ref, reporting the layers' progress.
func (r *Runtime) pull(ctx context.Context, svc types.ServiceConfig, ref string, rep *reporter) error {
	p := newPullProgress(ref)
	rep.report(p.status())
	rc, err := r.cli.ImagePull(ctx, ref, image.PullOptions{Platform: svc.Platform})
	if err != nil {
		return fmt.Errorf("pulling image %s: %w", ref, err)
	}
	defer rc.Close()
	err = readMessages(rc, func(m message) { rep.report(p.take(m)) })
	if err != nil {
		return fmt.Errorf("pulling image %s: %w", ref, err)
	}
	return nil
}

// build builds the service's image through the engine's (classic) build
// call, which every engine since API 1.41 has, reporting its steps. A
// failed step is named with its output.
func (r *Runtime) build(ctx context.Context, svc types.ServiceConfig, ref string, rep *reporter) error {
	b := svc.Build
	bc, err := newBuildContext(b.Context, b.Dockerfile, b.DockerfileInline)
	if err != nil {
		return fmt.Errorf("building %s: %w", svc.Name, err)
	}
	progress := newBuildProgress(svc.Name)
	rep.report(progress.status())
	pr, pw := io.Pipe()
	packed := make(chan struct{})
	go func() { // ends when the context is written or the build stops reading
		defer close(packed)
		pw.CloseWithError(bc.writeTar(pw))
	}()
	defer func() {
		pr.Close()
		<-packed
	}()
	labels := map[string]string{labelProject: r.project.Name, labelService: svc.Name}
	for k, v := range b.Labels {
		labels[k] = v
	}
	tags := append([]string{ref}, b.Tags...)
	resp, err := r.cli.ImageBuild(ctx, pr, build.ImageBuildOptions{
		Tags:        tags,
		Dockerfile:  bc.dockerfile,
		BuildArgs:   map[string]*string(b.Args),
		Target:      b.Target,
		Labels:      labels,
		NoCache:     b.NoCache,
		PullParent:  b.Pull,
		CacheFrom:   b.CacheFrom,
		ExtraHosts:  b.ExtraHosts.AsList(":"),
		NetworkMode: b.Network,
		ShmSize:     int64(b.ShmSize),
		Platform:    svc.Platform,
		Remove:      true,
		ForceRemove: true,
		Version:     build.BuilderV1,
	})
	if err != nil {
		return progress.failure(err)
	}
	defer resp.Body.Close()
	err = readMessages(resp.Body, func(m message) { rep.report(progress.take(m)) })
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return progress.failure(err)
	}
	rep.report(engine.Status{State: engine.Preparing, Detail: "built " + ref, Progress: 1})
	return nil
}

package docker

import (
	"context"
	"fmt"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
)

// networkName is the project's network, named as Compose names its
// default one, so that a docker compose project of the same name and
// Berth's containers can reach each other.
func (r *Runtime) networkName() string {
	if n, ok := r.project.Networks["default"]; ok && n.Name != "" {
		return n.Name
	}
	return r.project.Name + "_default"
}

// ensureNetwork makes the project's network unless it exists, with
// Compose's labels and Berth's. One that exists without Berth's labels is
// used but never removed.
func (r *Runtime) ensureNetwork(ctx context.Context) (string, error) {
	r.netMu.Lock()
	defer r.netMu.Unlock()
	name := r.networkName()
	if n, ok, err := r.findNetwork(ctx, name); err != nil || ok {
		return n.Name, err
	}
	_, err := r.cli.NetworkCreate(ctx, name, network.CreateOptions{
		Driver: "bridge",
		Labels: map[string]string{
			labelProject: r.project.Name, labelNetwork: "default",
			LabelManaged: "true", LabelStack: r.stack,
		},
	})
	if err != nil && !cerrdefs.IsConflict(err) {
		return "", fmt.Errorf("creating network %s: %w", name, err)
	}
	return name, nil
}

// findNetwork finds a network by its exact name (the engine's filter
// matches parts of names).
func (r *Runtime) findNetwork(ctx context.Context, name string) (network.Summary, bool, error) {
	list, err := r.cli.NetworkList(ctx, network.ListOptions{Filters: filters.NewArgs(filters.Arg("name", name))})
	if err != nil {
		return network.Summary{}, false, fmt.Errorf("listing networks: %w", err)
	}
	for _, n := range list {
		if n.Name == name {
			return n, true, nil
		}
	}
	return network.Summary{}, false, nil
}

// removeNetwork removes the project's network if Berth made it for this
// stack and nothing else is attached to it.
func (r *Runtime) removeNetwork(ctx context.Context) error {
	n, ok, err := r.findNetwork(ctx, r.networkName())
	if err != nil || !ok || !isOwn(n.Labels, r.stack) {
		return err
	}
	err = r.cli.NetworkRemove(ctx, n.ID)
	if err != nil && !cerrdefs.IsNotFound(err) && !cerrdefs.IsPermissionDenied(err) && !cerrdefs.IsConflict(err) {
		return fmt.Errorf("removing network %s: %w", n.Name, err)
	}
	return nil
}

// ensureVolumes makes the project's named volumes a container needs,
// labelled as Compose labels them; external ones must exist already.
// Berth never removes volumes: they hold the data.
func (r *Runtime) ensureVolumes(ctx context.Context, vols []namedVolume) error {
	for _, v := range vols {
		_, err := r.cli.VolumeInspect(ctx, v.Name)
		if err == nil {
			continue
		}
		if !cerrdefs.IsNotFound(err) {
			return fmt.Errorf("volume %s: %w", v.Name, err)
		}
		if v.External {
			return fmt.Errorf("volume %s is external but does not exist", v.Name)
		}
		labels := cloneMap(v.Labels)
		labels[labelProject], labels[labelVolume] = r.project.Name, v.Key
		labels[LabelManaged], labels[LabelStack] = "true", r.stack
		if _, err := r.cli.VolumeCreate(ctx, volume.CreateOptions{Name: v.Name, Driver: v.Driver, DriverOpts: v.Opts, Labels: labels}); err != nil {
			return fmt.Errorf("creating volume %s: %w", v.Name, err)
		}
	}
	return nil
}

package docker

import (
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/docker/api/types/mount"
)

// namedVolume is a volume of the project that must exist before a
// container mounts it.
type namedVolume struct {
	Key      string // the key under `volumes:`
	Name     string // the engine's name: <project>_<key> unless `name:` says
	External bool   // made by someone else; never created by Berth
	Driver   string
	Opts     map[string]string
	Labels   map[string]string
}

// mounts maps the service's `volumes` to the engine's mounts, and lists
// the project's named volumes they use.
func mounts(svc types.ServiceConfig, project *types.Project) ([]mount.Mount, []namedVolume, error) {
	var ms []mount.Mount
	var vols []namedVolume
	for _, v := range svc.Volumes {
		m := mount.Mount{Target: v.Target, ReadOnly: v.ReadOnly}
		switch v.Type {
		case types.VolumeTypeBind:
			m.Type, m.Source = mount.TypeBind, v.Source
			if v.Bind != nil && v.Bind.Propagation != "" {
				m.BindOptions = &mount.BindOptions{Propagation: mount.Propagation(v.Bind.Propagation)}
			}
		case types.VolumeTypeVolume:
			m.Type = mount.TypeVolume
			if v.Volume != nil && v.Volume.NoCopy {
				m.VolumeOptions = &mount.VolumeOptions{NoCopy: true}
			}
			if v.Source == "" {
				break // anonymous: the engine makes one
			}
			nv := namedVolume{Key: v.Source, Name: v.Source}
			if cfg, ok := project.Volumes[v.Source]; ok {
				if cfg.Name != "" {
					nv.Name = cfg.Name
				}
				nv.External = bool(cfg.External)
				nv.Driver, nv.Opts, nv.Labels = cfg.Driver, cfg.DriverOpts, cfg.Labels
			} else {
				nv.External = true // not declared: the engine's own volume of that name
			}
			m.Source = nv.Name
			vols = append(vols, nv)
		case types.VolumeTypeTmpfs:
			m.Type = mount.TypeTmpfs
			if v.Tmpfs != nil {
				m.TmpfsOptions = &mount.TmpfsOptions{SizeBytes: int64(v.Tmpfs.Size)}
				if v.Tmpfs.Mode != 0 {
					m.TmpfsOptions.Mode = os.FileMode(v.Tmpfs.Mode & 0o7777)
				}
			}
		default:
			return nil, nil, fmt.Errorf("volumes: type %q is not supported by Berth", v.Type)
		}
		ms = append(ms, m)
	}
	return ms, vols, nil
}

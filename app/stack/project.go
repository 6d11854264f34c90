package stack

import (
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/engine"
)

// processImage stands in for the image of a process service while
// compose-go checks the project's consistency, so that every other check
// (dependencies, cycles, networks, volumes) still runs for it; it is
// removed again before anyone sees the project.
const processImage = "berth.invalid/process-service"

// project binds the model into compose-go's Project as
// ProjectOptions.LoadProject does, with the image-or-build check relaxed
// for process services.
func (m *model) project(kinds map[string]engine.RuntimeKind) (*types.Project, error) {
	stand := map[string]bool{}
	for name, svc := range m.services() {
		if kinds[name] == engine.Process && !hasImage(svc) {
			svc["image"] = processImage
			stand[name] = true
		}
	}
	m.opts.SkipConsistencyCheck = false
	project, err := loader.ModelToProject(m.dict, m.opts, types.ConfigDetails{
		WorkingDir:  m.dir,
		Environment: m.env,
	})
	if err != nil {
		return nil, m.composeErr(err)
	}
	for _, svcs := range []types.Services{project.Services, project.DisabledServices} {
		for name, s := range svcs {
			if stand[name] && s.Image == processImage {
				s.Image = ""
				svcs[name] = s
			}
		}
	}
	project.ComposeFiles = append([]string(nil), m.files...)
	return project, nil
}

package docker

import (
	"github.com/docker/docker/api/types/filters"
)

// Compose's labels, so that docker ps, docker compose and other tools
// group Berth's containers by project and service.
const (
	labelProject     = "com.docker.compose.project"
	labelService     = "com.docker.compose.service"
	labelNumber      = "com.docker.compose.container-number"
	labelConfigHash  = "com.docker.compose.config-hash"
	labelOneoff      = "com.docker.compose.oneoff"
	labelWorkingDir  = "com.docker.compose.project.working_dir"
	labelConfigFiles = "com.docker.compose.project.config_files"
	labelNetwork     = "com.docker.compose.network"
	labelVolume      = "com.docker.compose.volume"
)

// Berth's own labels. Only what carries LabelManaged and this stack's
// LabelStack is Berth's to stop, remove or reattach; a docker compose
// project that shares the name is left alone.
const (
	LabelManaged = "dev.berth.managed"
	LabelStack   = "dev.berth.stack"
)

// projectFilter finds every container of a Compose project, Berth's and
// others', so that their names and numbers are known.
func projectFilter(project string) filters.Args {
	return filters.NewArgs(filters.Arg("label", labelProject+"="+project))
}

// ownFilter finds what Berth made for one stack.
func ownFilter(stack string) filters.Args {
	return filters.NewArgs(
		filters.Arg("label", LabelManaged+"=true"),
		filters.Arg("label", LabelStack+"="+stack),
	)
}

// isOwn tells whether labels mark something Berth made for stack.
func isOwn(labels map[string]string, stack string) bool {
	return labels[LabelManaged] == "true" && labels[LabelStack] == stack
}

package docker

import (
	"maps"
	"strings"
)

// cloneMap copies m, with room for the labels added to it.
func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+2)
	maps.Copy(out, m)
	return out
}

// isRemovalInProgress is the engine's answer to removing a container
// twice at once.
func isRemovalInProgress(err error) bool {
	return err != nil && strings.Contains(err.Error(), "is already in progress")
}

package stack

import (
	"fmt"

	"github.com/berth-dev/berth/engine"
)

// runtimes decides how each service runs: x-berth.run when given, else a
// container when it has an image, a build or a provider, else a process.
// A process needs something to run.
func (m *model) runtimes(exts map[string]ServiceExtension) (map[string]engine.RuntimeKind, error) {
	kinds := map[string]engine.RuntimeKind{}
	svcs := m.services()
	for _, name := range sortedKeys(svcs) {
		svc, ext := svcs[name], exts[name]
		at := keyPath{"services", name}
		hasCommand := len(ext.Command) > 0 || svc["command"] != nil || svc["entrypoint"] != nil
		switch ext.Run {
		case "":
			if hasImage(svc) {
				kinds[name] = engine.Container
				continue
			}
			if !hasCommand {
				return nil, m.fieldErr(&fieldError{Path: at, Msg: fmt.Sprintf(
					"service %q has no image, no build and no command: nothing to run", name)})
			}
		case string(engine.Process):
			if !hasCommand {
				return nil, m.fieldErr(&fieldError{Path: at.with("x-berth").with("run"), Msg: fmt.Sprintf(
					"x-berth.run: service %q runs as a process but has no command (x-berth.command or command)", name)})
			}
		case string(engine.Container):
			// compose-go's consistency check asks for an image or build.
			kinds[name] = engine.Container
			continue
		default:
			return nil, m.fieldErr(&fieldError{Path: at.with("x-berth").with("run"), Msg: fmt.Sprintf(
				"x-berth.run: want \"process\" or \"container\", got %q", ext.Run)})
		}
		kinds[name] = engine.Process
		if err := m.checkWords(name, svc, ext); err != nil {
			return nil, err
		}
	}
	return kinds, nil
}

// checkWords refuses a process's Compose command or entrypoint string
// that compose-go would cut short at shell syntax (see splitWords).
func (m *model) checkWords(name string, svc map[string]any, ext ServiceExtension) error {
	if len(ext.Command) > 0 {
		return nil
	}
	for _, key := range []string{"entrypoint", "command"} {
		s, ok := svc[key].(string)
		if !ok {
			continue
		}
		if _, err := splitWords(s); err != nil {
			return m.fieldErr(&fieldError{Path: keyPath{"services", name, key}, Msg: fmt.Sprintf("%s: %v", key, err)})
		}
	}
	return nil
}

func hasImage(svc map[string]any) bool {
	return svc["image"] != nil || svc["build"] != nil || svc["provider"] != nil
}

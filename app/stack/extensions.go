package stack

// services returns the model's services by name, profile-disabled ones
// included.
func (m *model) services() map[string]map[string]any {
	out := map[string]map[string]any{}
	svcs, _ := m.dict["services"].(map[string]any)
	for name, s := range svcs {
		if sm, ok := s.(map[string]any); ok {
			out[name] = sm
		}
	}
	return out
}

// serviceNames lists every declared service, sorted.
func (m *model) serviceNames() []string {
	return sortedKeys(m.services())
}

// decodeExtensions reads the top-level and per-service x-berth keys
// strictly.
func (m *model) decodeExtensions() (TopExtension, map[string]ServiceExtension, error) {
	var top TopExtension
	if fe := decodeStrict(m.dict["x-berth"], &top, keyPath{"x-berth"}); fe != nil {
		return top, nil, m.fieldErr(fe)
	}
	exts := map[string]ServiceExtension{}
	svcs := m.services()
	for _, name := range sortedKeys(svcs) {
		var ext ServiceExtension
		if fe := decodeStrict(svcs[name]["x-berth"], &ext, keyPath{"x-berth"}); fe != nil {
			fe.Path = append(keyPath{"services", name}, fe.Path...)
			return top, nil, m.fieldErr(fe)
		}
		exts[name] = ext
	}
	return top, exts, nil
}

package stack

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"go.yaml.in/yaml/v4"
)

// position is where something was written in a stack file.
type position struct {
	File string // absolute
	Line int    // 1-based; 0 when only the file is known
}

// locator finds the file and line where a key of the loaded model was
// written. compose-go hands over the merged model without positions, so
// the files are read again as YAML nodes (with the YAML library compose-go
// parses them with) when an error needs a line.
type locator struct {
	files []string                // the Compose files in load order
	docs  map[string][]*yaml.Node // by file; parsed on first use
}

func newLocator(files []string) *locator {
	return &locator{files: files, docs: map[string][]*yaml.Node{}}
}

// maxExtendsHops bounds how far find follows `extends` chains (compose-go
// has already refused cycles; this only guards the search).
const maxExtendsHops = 16

// find returns where p was written: in the last file that has it (later
// files override earlier ones), following `extends` and `include` to the
// file a service came from. When no file has all of p, it returns the
// deepest enclosing key found; ok is false when not even p[0] is found.
func (l *locator) find(p keyPath) (pos position, ok bool) {
	pos, depth := l.deepest(p)
	return pos, depth > 0
}

// exact returns where all of p was written, if a file has it.
func (l *locator) exact(p keyPath) (position, bool) {
	pos, depth := l.deepest(p)
	return pos, depth == len(p)
}

func (l *locator) deepest(p keyPath) (pos position, depth int) {
	for _, f := range l.searchOrder() {
		q, d := l.findIn(f, p, 0)
		if d > depth {
			pos, depth = q, d
		}
		if depth == len(p) {
			break
		}
	}
	return pos, depth
}

// searchOrder lists the Compose files last first, then the files they
// include.
func (l *locator) searchOrder() []string {
	var order []string
	seen := map[string]bool{}
	for i := len(l.files) - 1; i >= 0; i-- {
		order = append(order, l.files[i])
		seen[l.files[i]] = true
	}
	for i := 0; i < len(order); i++ {
		for _, inc := range l.includes(order[i]) {
			if !seen[inc] {
				seen[inc] = true
				order = append(order, inc)
			}
		}
	}
	return order
}

// findScalar finds, in any service of any file, a scalar under key (the
// value itself, or an item of its list, or a list item's `path`) for
// which match holds. It places errors that name a value but no service.
func (l *locator) findScalar(key string, match func(string) bool) (position, bool) {
	for _, f := range l.searchOrder() {
		for _, doc := range l.parse(f) {
			svcs := lookupPath(doc, keyPath{"services"})
			if svcs == nil || svcs.Kind != yaml.MappingNode {
				continue
			}
			for i := 1; i < len(svcs.Content); i += 2 {
				n := lookupPath(svcs.Content[i], keyPath{key})
				if n == nil {
					continue
				}
				items := []*yaml.Node{n}
				if n.Kind == yaml.SequenceNode {
					items = n.Content
				}
				for _, it := range items {
					it = deref(it)
					if it.Kind == yaml.MappingNode {
						it = lookupPath(it, keyPath{"path"})
					}
					if it != nil && it.Kind == yaml.ScalarNode && match(it.Value) {
						return position{File: f, Line: it.Line}, true
					}
				}
			}
		}
	}
	return position{}, false
}

// findIn looks for p in one file, following the service's `extends`
// when the file has the service but not the rest of p.
func (l *locator) findIn(file string, p keyPath, hops int) (position, int) {
	var best position
	depth := 0
	for _, doc := range l.parse(file) {
		line, d := walk(doc, p)
		if d > depth {
			best, depth = position{File: file, Line: line}, d
		}
	}
	if depth >= 2 && depth < len(p) && p[0] == "services" && hops < maxExtendsHops {
		if baseFile, baseName, ok := l.extends(file, p[1]); ok {
			q := append(keyPath{"services", baseName}, p[2:]...)
			if pos, d := l.findIn(baseFile, q, hops+1); d > depth {
				best, depth = pos, d
			}
		}
	}
	return best, depth
}

// extends reads a service's `extends` in file: the base service and the
// file it lives in.
func (l *locator) extends(file string, service any) (baseFile string, baseName string, ok bool) {
	for _, doc := range l.parse(file) {
		ext := lookupPath(doc, keyPath{"services", service, "extends"})
		if ext == nil {
			continue
		}
		if ext.Kind == yaml.ScalarNode {
			return file, ext.Value, true
		}
		name := lookupPath(ext, keyPath{"service"})
		if name == nil {
			continue
		}
		baseFile = file
		if f := lookupPath(ext, keyPath{"file"}); f != nil && f.Value != "" {
			baseFile = resolveFrom(file, f.Value)
		}
		return baseFile, name.Value, true
	}
	return "", "", false
}

// includes lists the files a file pulls in with `include:`.
func (l *locator) includes(file string) []string {
	var out []string
	for _, doc := range l.parse(file) {
		inc := lookupPath(doc, keyPath{"include"})
		if inc == nil || inc.Kind != yaml.SequenceNode {
			continue
		}
		for _, e := range inc.Content {
			e = deref(e)
			if e.Kind == yaml.MappingNode {
				e = lookupPath(e, keyPath{"path"})
			}
			for _, s := range scalars(e) {
				out = append(out, resolveFrom(file, s))
			}
		}
	}
	return out
}

// parse reads a file's YAML documents once; a file that can't be read or
// parsed has none (compose-go has reported that already).
func (l *locator) parse(file string) []*yaml.Node {
	if docs, ok := l.docs[file]; ok {
		return docs
	}
	var docs []*yaml.Node
	if b, err := os.ReadFile(file); err == nil {
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var n yaml.Node
			if err := dec.Decode(&n); err != nil {
				if !errors.Is(err, io.EOF) {
					docs = nil
				}
				break
			}
			docs = append(docs, &n)
		}
	}
	l.docs[file] = docs
	return docs
}

// walk follows p from n as far as it goes. It returns how many elements
// it matched and the line of the last one (a key's own line).
func walk(n *yaml.Node, p keyPath) (line int, depth int) {
	n = deref(n)
	line = n.Line
	for _, e := range p {
		switch e := e.(type) {
		case int:
			if n.Kind != yaml.SequenceNode || e < 0 || e >= len(n.Content) {
				return line, depth
			}
			n = deref(n.Content[e])
			line = n.Line
		default:
			if i, ok := seqIndex(n, e); ok {
				n = deref(n.Content[i])
				line = n.Line
				break
			}
			k, v := lookupKey(n, e, 0)
			if k == nil {
				return line, depth
			}
			n, line = deref(v), k.Line
		}
		depth++
	}
	return line, depth
}

// seqIndex reads a path element written as text ("0" in compose-go's
// services.web.ports.0) as an index into a sequence node.
func seqIndex(n *yaml.Node, e any) (int, bool) {
	s, ok := e.(string)
	if !ok || n.Kind != yaml.SequenceNode {
		return 0, false
	}
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= len(n.Content) {
		return 0, false
	}
	return i, true
}

// lookupPath returns the node at p under n, or nil.
func lookupPath(n *yaml.Node, p keyPath) *yaml.Node {
	n = deref(n)
	for _, e := range p {
		switch e := e.(type) {
		case int:
			if n.Kind != yaml.SequenceNode || e < 0 || e >= len(n.Content) {
				return nil
			}
			n = deref(n.Content[e])
		default:
			_, v := lookupKey(n, e, 0)
			if v == nil {
				return nil
			}
			n = deref(v)
		}
	}
	return n
}

// lookupKey finds key in a mapping node, then in the mappings merged into
// it with `<<:`, as YAML reads them.
func lookupKey(n *yaml.Node, key any, hops int) (k, v *yaml.Node) {
	n = deref(n)
	if n.Kind != yaml.MappingNode || hops > maxExtendsHops {
		return nil, nil
	}
	name, ok := key.(string)
	if !ok {
		return nil, nil
	}
	var merged []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn := n.Content[i]
		if kn.Kind == yaml.ScalarNode && kn.ShortTag() == "!!merge" {
			merged = append(merged, n.Content[i+1])
			continue
		}
		if kn.Value == name {
			return kn, n.Content[i+1]
		}
	}
	for _, m := range merged {
		m = deref(m)
		sources := []*yaml.Node{m}
		if m.Kind == yaml.SequenceNode {
			sources = m.Content
		}
		for _, s := range sources {
			if k, v := lookupKey(s, key, hops+1); k != nil {
				return k, v
			}
		}
	}
	return nil, nil
}

// deref steps into a document and through aliases.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil {
		switch n.Kind {
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return n
			}
			n = n.Content[0]
		case yaml.AliasNode:
			if n.Alias == nil {
				return n
			}
			n = n.Alias
		default:
			return n
		}
	}
	return &yaml.Node{}
}

// scalars returns a scalar's value, or a sequence's scalar values.
func scalars(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	n = deref(n)
	switch n.Kind {
	case yaml.ScalarNode:
		return []string{n.Value}
	case yaml.SequenceNode:
		var out []string
		for _, e := range n.Content {
			if e = deref(e); e.Kind == yaml.ScalarNode {
				out = append(out, e.Value)
			}
		}
		return out
	}
	return nil
}

// resolveFrom resolves a path written in file relative to file's folder.
func resolveFrom(file, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(filepath.Dir(file), p)
}

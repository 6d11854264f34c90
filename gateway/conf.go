package gateway

import (
	"slices"
	"sync"

	"github.com/berth-dev/berth/gateway/nginx"
)

// Level is a configuration level that directives can be set at. nginx keeps a
// configuration per level (http, server, location, and the anonymous
// locations made by `if` and `limit_except`) and merges each with its parent.
type Level int

const (
	LevelHTTP Level = iota
	LevelServer
	LevelLocation
	LevelIf
	LevelLimitExcept
)

// Conf is the directives set at one level, linked to its parent level.
// Lookups implement nginx's merge rules once, for every directive:
// a scalar directive is inherited from the nearest level that sets it
// (Get); an array directive such as proxy_set_header is taken whole from
// the nearest level that has any (List), never merged across levels.
type Conf struct {
	Level  Level
	Parent *Conf
	own    map[string][]*nginx.Directive
	all    []*nginx.Directive // own directives in config order
	// lists remembers List's answer for one name (string →
	// []*nginx.Directive): the levels never change once compiled, and
	// building the answer on every request cost allocations.
	lists sync.Map
	// settings remembers what settingOnce worked out, by key.
	settings sync.Map
}

// settingOnce returns what work makes of this level's directives,
// working it out on first use: the levels never change once compiled, so
// a setting read on every request (proxy_next_upstream, the hidden
// headers) is parsed once per level instead.
func settingOnce[T any](c *Conf, key string, work func() T) T {
	if v, ok := c.settings.Load(key); ok {
		return v.(T)
	}
	v, _ := c.settings.LoadOrStore(key, work())
	return v.(T)
}

func newConf(level Level, parent *Conf, block []*nginx.Directive) *Conf {
	c := &Conf{Level: level, Parent: parent, own: map[string][]*nginx.Directive{}}
	for _, d := range block {
		if d.IsBlock && blockOpensLevel(d.Name) {
			continue
		}
		c.own[d.Name] = append(c.own[d.Name], d)
		c.all = append(c.all, d)
	}
	return c
}

// blockOpensLevel reports whether a block directive opens a level of its
// own, whose directives therefore do not belong to the enclosing one.
func blockOpensLevel(name string) bool {
	switch name {
	case "server", "location", "if", "limit_except", "upstream", "http", "events":
		return true
	}
	return false
}

// Own returns the directives named name set at this level only.
func (c *Conf) Own(name string) []*nginx.Directive { return c.own[name] }

// Get returns the innermost directive named name, looking up through the
// parent levels: nginx's rule for scalar settings.
func (c *Conf) Get(name string) *nginx.Directive {
	for l := c; l != nil; l = l.Parent {
		if ds := l.own[name]; len(ds) > 0 {
			return ds[len(ds)-1]
		}
	}
	return nil
}

// List returns every directive of the group names from the innermost level
// that sets any of them: nginx's all-or-nothing rule for arrays. Directives
// keep their config order within that level. The answer is shared: callers
// must not change it.
func (c *Conf) List(names ...string) []*nginx.Directive {
	if len(names) != 1 {
		return c.list(names)
	}
	if v, ok := c.lists.Load(names[0]); ok {
		return v.([]*nginx.Directive)
	}
	out := c.list(names)
	c.lists.Store(names[0], out)
	return out
}

func (c *Conf) list(names []string) []*nginx.Directive {
	for l := c; l != nil; l = l.Parent {
		var out []*nginx.Directive
		for _, d := range l.all {
			if slices.Contains(names, d.Name) {
				out = append(out, d)
			}
		}
		if len(out) > 0 {
			return slices.Clip(out) // an append by a caller copies
		}
	}
	return nil
}

package gateway

import (
	"cmp"
	"slices"
	"strings"

	"github.com/berth-dev/berth/gateway/nginx"
)

// Modifier is how a location matches: the token before its name.
type Modifier int

const (
	ModPrefix    Modifier = iota // location /x
	ModExact                     // location = /x
	ModNoRegex                   // location ^~ /x
	ModRegex                     // location ~ re
	ModRegexCI                   // location ~* re
	ModNamed                     // location @x
	ModAnonymous                 // the location an `if` or `limit_except` block makes
)

func (m Modifier) String() string {
	return [...]string{"", "=", "^~", "~", "~*", "@", "*"}[m]
}

// Location is one `location` block, compiled.
type Location struct {
	Modifier Modifier
	Name     string // the prefix, the regex source, or the name after @
	Pos      nginx.Pos
	errPos   nginx.Pos // where nginx reports errors about it: the line of its "{"
	Regex    *Regex    // for ModRegex and ModRegexCI
	Conf     *Conf
	Handler  *Handler
	// AutoRedirect: a request for Name without its trailing slash is
	// answered with a 301 to Name (it ends in "/" and holds a *_pass).
	AutoRedirect bool
	Internal     bool
	// script is the location's own rewrite-module code, in order.
	script []*nginx.Directive
	// limitExcept are the location's limit_except blocks.
	limitExcept []*nginx.Directive
	Children    *LocationSet
	Parent      *Location // nil at server level
}

// Label is how nginx's logs name the location: "= /x", "/x/", "~ \.php$".
func (l *Location) Label() string {
	if l == nil {
		return "(none)"
	}
	switch l.Modifier {
	case ModPrefix:
		return l.Name
	case ModNamed:
		return "@" + l.Name
	}
	return l.Modifier.String() + " " + l.Name
}

// LocationSet is the locations of one block (a server, or a location with
// nested ones) arranged as nginx searches them.
type LocationSet struct {
	static []*Location // prefix, ^~ and = in nginx's sort order
	regex  []*Location // in config order
	named  map[string]*Location
	// inOrder is every location of the block in config order.
	inOrder []*Location
}

// newLocationSet sorts the locations of one block as
// ngx_http_init_locations does and reports a duplicate the way
// ngx_http_join_exact_locations finds one: by comparing neighbours after a
// stable sort, with statics first (by name, `=` before a plain prefix of the
// same name), then regexes in config order, then named ones by name.
func newLocationSet(locs []*Location) (*LocationSet, error) {
	set := &LocationSet{named: map[string]*Location{}, inOrder: locs}
	var named []*Location
	for _, l := range locs {
		switch l.Modifier {
		case ModRegex, ModRegexCI:
			set.regex = append(set.regex, l)
		case ModNamed:
			named = append(named, l)
		case ModAnonymous:
		default:
			set.static = append(set.static, l)
		}
	}
	slices.SortStableFunc(set.static, func(a, b *Location) int {
		if c := cmp.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return cmp.Compare(exactRank(a), exactRank(b))
	})
	slices.SortStableFunc(named, func(a, b *Location) int { return cmp.Compare(a.Name, b.Name) })
	all := slices.Concat(set.static, set.regex, named)
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.Name == b.Name && exactish(a) == exactish(b) {
			return nil, &nginx.Error{Pos: b.errPos, Msg: `duplicate location "` + b.rawName() + `"`}
		}
	}
	for _, l := range named {
		set.named[l.Name] = l
	}
	return set, nil
}

func exactRank(l *Location) int {
	if l.Modifier == ModExact {
		return 0
	}
	return 1
}

// exactish mirrors nginx's split of locations into "exact" (=, regex, named)
// and "inclusive" (prefix, ^~) for its duplicate check.
func exactish(l *Location) bool { return l.Modifier != ModPrefix && l.Modifier != ModNoRegex }

// Named returns the named location @name of a server, or nil.
func (s *LocationSet) Named(name string) *Location {
	if s == nil {
		return nil
	}
	return s.named[name]
}

// findResult is how a location search ended, as in
// ngx_http_core_find_location.
type findResult int

const (
	findNone         findResult = iota // NGX_DECLINED: nothing matched here
	findPrefix                         // NGX_AGAIN: an inclusive prefix matched
	findExact                          // NGX_OK: exact, or a regex matched
	findAutoRedirect                   // NGX_DONE: answer with a 301 to loc/
)

// LocationStep records one thing the search did, so `berth match` can say
// why a location won.
type LocationStep struct {
	Loc  *Location
	What string
}

type locationSearch struct {
	uri   string
	loc   *Location // the configuration chosen so far (r->loc_conf)
	caps  *Captures // captures of the regex that chose loc
	steps []LocationStep
}

// find is ngx_http_core_find_location: the static (prefix/exact) lookup,
// then nested locations of the longest prefix, then this block's regexes
// in config order unless the prefix was ^~.
func (s *locationSearch) find(set *LocationSet) findResult {
	if set == nil {
		return findNone
	}
	rc, prefix := s.findStatic(set)
	noregex := false
	if rc == findPrefix {
		noregex = prefix.Modifier == ModNoRegex
		s.loc = prefix
		rc = s.find(prefix.Children)
	}
	if rc == findExact || rc == findAutoRedirect {
		for _, r := range set.regex {
			s.note(r, "not tried: "+s.loc.Label()+" already decided")
		}
		return rc
	}
	if noregex {
		for _, r := range set.regex {
			s.note(r, "not tried: the longest prefix "+prefix.Label()+" is ^~")
		}
		return rc
	}
	for _, r := range set.regex {
		if r.Regex == nil {
			s.note(r, "not tried: Berth cannot run this pattern (see the import report)")
			continue
		}
		caps := r.Regex.Match(s.uri)
		if caps == nil {
			s.note(r, "regex did not match")
			continue
		}
		s.note(r, "regex matched")
		s.loc, s.caps = r, caps
		s.find(r.Children)
		return findExact
	}
	return rc
}

// findStatic is ngx_http_core_find_static_location, expressed over the
// sorted list rather than nginx's search tree; the answers are the same:
// an exact location equal to the URI wins outright; a location named URI+"/"
// that auto-redirects wins unless one is named exactly URI; otherwise the
// longest inclusive prefix.
func (s *locationSearch) findStatic(set *LocationSet) (findResult, *Location) {
	var longest, redirect *Location
	for _, l := range set.static {
		switch {
		case l.Name == s.uri:
			if l.Modifier == ModExact {
				s.note(l, "exact match")
				s.loc = l
				return findExact, l
			}
			if longest == nil || len(l.Name) > len(longest.Name) {
				longest = l
			}
		case l.AutoRedirect && l.Name == s.uri+"/":
			redirect = l
		case l.Modifier != ModExact && strings.HasPrefix(s.uri, l.Name):
			if longest == nil || len(l.Name) > len(longest.Name) {
				longest = l
			}
		}
	}
	if longest != nil && longest.Name == s.uri {
		s.note(longest, "prefix equal to the URI")
		return findPrefix, longest
	}
	if redirect != nil {
		s.note(redirect, "the URI lacks this location's trailing slash: 301 (regexes are not consulted)")
		s.loc = redirect
		return findAutoRedirect, redirect
	}
	if longest != nil {
		s.note(longest, "longest prefix")
		return findPrefix, longest
	}
	return findNone, nil
}

func (s *locationSearch) note(l *Location, what string) {
	s.steps = append(s.steps, LocationStep{Loc: l, What: what})
}

// All returns the set's locations in config order.
func (s *LocationSet) All() []*Location {
	if s == nil {
		return nil
	}
	return s.inOrder
}

// HasRewritePhase reports whether the location runs rewrite-module code or
// try_files, so its outcome depends on the request beyond matching.
func (l *Location) HasRewritePhase() bool {
	return len(l.script) > 0 || len(l.Conf.Own("try_files")) > 0
}

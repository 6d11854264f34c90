package gateway

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/gateway/nginx"
)

// splitTable is a split_clients block (ngx_http_split_clients_module):
// the request's key, hashed with MurmurHash2, falls in one of the
// percentage parts, in order; canary and A/B routing use it.
type splitTable struct {
	parts []splitPart
}

type splitPart struct {
	below uint32 // the hash is under it; 0 for `*`, the rest
	value string
}

// compileSplitClients compiles `split_clients STRING $variable { ... }`
// as ngx_conf_split_clients_block does.
func compileSplitClients(d *nginx.Directive) (string, *mapVar, error) {
	if !strings.HasPrefix(d.Args[1], "$") {
		return "", nil, &nginx.Error{Pos: d.ErrPos(), Msg: fmt.Sprintf(`invalid variable name "%s"`, d.Args[1])}
	}
	t := &splitTable{}
	var sum, last uint32
	for _, e := range d.Block {
		if len(e.Args) != 1 {
			return "", nil, &nginx.Error{Pos: e.ErrPos(), Msg: "invalid number of parameters"}
		}
		p := splitPart{value: e.Args[0]}
		if e.Name == "*" {
			sum = 10000
		} else {
			n, ok := hundredths(strings.TrimSuffix(e.Name, "%"))
			if !ok || !strings.HasSuffix(e.Name, "%") || n == 0 {
				return "", nil, &nginx.Error{Pos: e.ErrPos(), Msg: fmt.Sprintf(`invalid percent value "%s"`, e.Name)}
			}
			if sum += n; sum > 10000 {
				return "", nil, &nginx.Error{Pos: d.ErrPos(), Msg: "percent total is greater than 100%"}
			}
			last += uint32(uint64(n) * 0xffffffff / 10000)
			p.below = last
		}
		t.parts = append(t.parts, p)
	}
	return strings.TrimPrefix(d.Args[1], "$"), &mapVar{source: d.Args[0], split: t}, nil
}

// hundredths reads a percentage with at most two decimals in hundredths
// of a percent, as ngx_atofp(s, 2) does: digits and one dot.
func hundredths(s string) (uint32, bool) {
	if s == "" {
		return 0, false
	}
	var n uint64
	point, dot := 2, false
	for _, c := range []byte(s) {
		switch {
		case point == 0:
			return 0, false
		case c == '.':
			if dot {
				return 0, false
			}
			dot = true
			continue
		case c < '0' || c > '9':
			return 0, false
		}
		if n = n*10 + uint64(c-'0'); n > 1<<32 {
			return 0, false
		}
		if dot {
			point--
		}
	}
	for ; point > 0; point-- {
		n *= 10
	}
	return uint32(n), n < 1<<32
}

// pick is the value for a key: the first part whose bound the key's hash
// is under, or the `*` part.
func (t *splitTable) pick(key string) string {
	h := murmurHash2(key)
	for _, p := range t.parts {
		if p.below == 0 || h < p.below {
			return p.value
		}
	}
	return ""
}

// murmurHash2 is ngx_murmur_hash2 (Austin Appleby's MurmurHash2, seed 0).
func murmurHash2(s string) uint32 {
	const m = 0x5bd1e995
	h := uint32(len(s))
	for ; len(s) >= 4; s = s[4:] {
		k := uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
		k *= m
		k ^= k >> 24
		k *= m
		h *= m
		h ^= k
	}
	switch len(s) {
	case 3:
		h ^= uint32(s[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(s[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(s[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return h
}

package uwsgi

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// MaxVarsSize is the largest vars block a packet can carry: the header
// stores its size in 16 bits. nginx refuses anything bigger.
const MaxVarsSize = 0xffff

// ErrTooBig is returned by AppendPacket for a vars block over MaxVarsSize;
// nginx logs "uwsgi request is too big" and fails the request.
var ErrTooBig = errors.New("uwsgi request is too big")

// ErrMalformed is wrapped by ReadPacket when a vars block does not decode.
var ErrMalformed = errors.New("malformed uwsgi packet")

// Var is one key/value pair of a packet's vars block. Vars are a list, not
// a map: nginx sends duplicates (two X-Foo headers become two HTTP_X_FOO
// vars) and the order is part of what the application sees.
type Var struct{ Key, Value string }

// Packet is a decoded uwsgi request header and vars block. The request body,
// if any, follows it on the wire unframed.
type Packet struct {
	Modifier1, Modifier2 byte
	Vars                 []Var
}

// Lookup returns the value of the last var named key. uWSGI builds its
// environ by overwriting, so the last duplicate is the one an app sees.
func (p Packet) Lookup(key string) (string, bool) {
	for i := len(p.Vars) - 1; i >= 0; i-- {
		if p.Vars[i].Key == key {
			return p.Vars[i].Value, true
		}
	}
	return "", false
}

// varsSize is the encoded size of vars: a 2-byte length before each key
// and each value.
func varsSize[V any](vars []V, kv func(V) (string, string)) int {
	n := 0
	for _, v := range vars {
		key, val := kv(v)
		n += 2 + len(key) + 2 + len(val)
	}
	return n
}

func varKV(v Var) (string, string)        { return v.Key, v.Value }
func pairKV(p [2]string) (string, string) { return p[0], p[1] }

// AppendPacket appends the packet header and vars block to dst, as
// ngx_http_uwsgi_create_request lays them out: modifier1, the vars block
// size as uint16 little-endian, modifier2, then each var as
// {uint16 LE keylen, key, uint16 LE vallen, value}. The body is not part of
// the packet; callers write it after.
func AppendPacket(dst []byte, mod1, mod2 byte, vars []Var) ([]byte, error) {
	return appendPacket(dst, mod1, mod2, vars, varKV)
}

// AppendPairs is AppendPacket for vars held as {key, value} pairs, as the
// gateway's route decisions list them, without converting them first.
func AppendPairs(dst []byte, mod1, mod2 byte, vars [][2]string) ([]byte, error) {
	return appendPacket(dst, mod1, mod2, vars, pairKV)
}

// PairsSize is the length of the packet AppendPairs makes of vars, so
// that a caller can size one buffer for the packet and what follows it.
func PairsSize(vars [][2]string) int { return 4 + varsSize(vars, pairKV) }

func appendPacket[V any](dst []byte, mod1, mod2 byte, vars []V, kv func(V) (string, string)) ([]byte, error) {
	size := varsSize(vars, kv)
	if size > MaxVarsSize {
		return dst, fmt.Errorf("%w: %d bytes of vars, max %d", ErrTooBig, size, MaxVarsSize)
	}
	dst = slices.Grow(dst, 4+size) // one allocation at most
	dst = append(dst, mod1, 0, 0, mod2)
	binary.LittleEndian.PutUint16(dst[len(dst)-3:], uint16(size))
	for _, v := range vars {
		key, val := kv(v)
		dst = binary.LittleEndian.AppendUint16(dst, uint16(len(key)))
		dst = append(dst, key...)
		dst = binary.LittleEndian.AppendUint16(dst, uint16(len(val)))
		dst = append(dst, val...)
	}
	return dst, nil
}

// ReadPacket reads one packet header and its vars block from r, leaving r
// at the start of the body. It returns io.EOF untouched when r ends before
// the first byte, so a server can tell a clean close from a cut packet.
// Memory is bounded by the 16-bit size field.
func ReadPacket(r *bufio.Reader) (Packet, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return Packet{}, io.EOF
		}
		return Packet{}, fmt.Errorf("reading uwsgi packet header: %w", err)
	}
	size := int(binary.LittleEndian.Uint16(hdr[1:3]))
	block := make([]byte, size)
	if _, err := io.ReadFull(r, block); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return Packet{}, fmt.Errorf("reading uwsgi vars block of %d bytes: %w", size, err)
	}
	vars, err := decodeVars(block)
	if err != nil {
		return Packet{}, err
	}
	return Packet{Modifier1: hdr[0], Modifier2: hdr[3], Vars: vars}, nil
}

// decodeVars splits a vars block into its pairs; every length must fit in
// what is left of the block.
func decodeVars(block []byte) ([]Var, error) {
	var vars []Var
	for off := 0; off < len(block); {
		key, next, err := lengthPrefixed(block, off)
		if err != nil {
			return nil, fmt.Errorf("%w: key at offset %d: %w", ErrMalformed, off, err)
		}
		val, end, err := lengthPrefixed(block, next)
		if err != nil {
			return nil, fmt.Errorf("%w: value of %q at offset %d: %w", ErrMalformed, key, next, err)
		}
		vars = append(vars, Var{Key: key, Value: val})
		off = end
	}
	return vars, nil
}

// lengthPrefixed reads a uint16 LE length at off and that many bytes after
// it, returning the string and the offset just past it.
func lengthPrefixed(block []byte, off int) (string, int, error) {
	if len(block)-off < 2 {
		return "", 0, errors.New("length cut short")
	}
	n := int(binary.LittleEndian.Uint16(block[off:]))
	start := off + 2
	if len(block)-start < n {
		return "", 0, fmt.Errorf("length %d runs past the block end", n)
	}
	return string(block[start : start+n]), start + n, nil
}

package proc

import (
	"bytes"
	"encoding/binary"
)

// envHasMarker reports whether an environment (KEY=VALUE entries) holds
// RunEnv with one of the marks.
func envHasMarker(env [][]byte, marks map[string]bool) bool {
	prefix := []byte(RunEnv + "=")
	for _, kv := range env {
		if v, ok := bytes.CutPrefix(kv, prefix); ok && marks[string(v)] {
			return true
		}
	}
	return false
}

// procargsEnv takes the environment out of macOS's kern.procargs2 answer:
// argc (32 bits, little-endian on every Mac Go supports), the executable
// path, NUL padding, argc arguments, then the environment up to an empty
// string. Pure, so it is tested on every platform.
func procargsEnv(buf []byte) [][]byte {
	if len(buf) < 4 {
		return nil
	}
	argc := int(binary.LittleEndian.Uint32(buf))
	rest := buf[4:]
	i := bytes.IndexByte(rest, 0)
	if i < 0 {
		return nil
	}
	rest = rest[i:]
	for len(rest) > 0 && rest[0] == 0 {
		rest = rest[1:]
	}
	for n := 0; n < argc; n++ {
		i := bytes.IndexByte(rest, 0)
		if i < 0 {
			return nil
		}
		rest = rest[i+1:]
	}
	var env [][]byte
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, 0)
		if i <= 0 {
			break
		}
		env = append(env, rest[:i])
		rest = rest[i+1:]
	}
	return env
}

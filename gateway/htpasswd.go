package gateway

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"hash"
	"strconv"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// passwordMatches checks a password against an auth_basic_user_file
// entry as nginx's ngx_crypt does (crypt the password with the entry as
// salt, compare): Apache's $apr1$, {PLAIN}, {SHA} and {SSHA} by nginx
// itself, and what Debian's crypt(3) adds: MD5 ($1$), SHA-256 ($5$),
// SHA-512 ($6$) and bcrypt ($2a$, $2b$, $2y$). known is false for any
// other scheme (DES, yescrypt): nginx on Debian would check those, Berth
// cannot, and refuses them.
func passwordMatches(entry, password string) (ok, known bool) {
	if matches := passwordScheme(entry); matches != nil {
		return matches(entry, password), true
	}
	return false, false
}

// knownScheme tells whether passwordMatches can check an entry.
func knownScheme(entry string) bool { return passwordScheme(entry) != nil }

// passwordScheme is the check for an entry's scheme, by its prefix; nil for
// a scheme Berth cannot check.
func passwordScheme(entry string) func(entry, password string) bool {
	for _, sc := range passwordSchemes {
		if strings.HasPrefix(entry, sc.prefix) {
			return sc.matches
		}
	}
	return nil
}

// passwordSchemes are the entry formats Berth checks, by prefix.
var passwordSchemes = []struct {
	prefix  string
	matches func(entry, password string) bool
}{
	{"$apr1$", func(e, pw string) bool { return sameHash(md5Crypt(pw, e, "$apr1$"), e) }},
	{"{PLAIN}", func(e, pw string) bool { return sameHash("{PLAIN}"+pw, e) }},
	{"{SSHA}", func(e, pw string) bool {
		raw, err := base64.StdEncoding.DecodeString(e[6:])
		if err != nil || len(raw) < sha1.Size {
			return false
		}
		salt := raw[sha1.Size:]
		sum := sha1.Sum(append([]byte(pw), salt...))
		return sameHash("{SSHA}"+base64.StdEncoding.EncodeToString(append(sum[:], salt...)), e)
	}},
	{"{SHA}", func(e, pw string) bool {
		sum := sha1.Sum([]byte(pw))
		return sameHash("{SHA}"+base64.StdEncoding.EncodeToString(sum[:]), e)
	}},
	{"$1$", func(e, pw string) bool { return sameHash(md5Crypt(pw, e, "$1$"), e) }},
	{"$5$", func(e, pw string) bool { return sameHash(shaCrypt(sha256.New, sha256Order, "$5$", pw, e), e) }},
	{"$6$", func(e, pw string) bool { return sameHash(shaCrypt(sha512.New, sha512Order, "$6$", pw, e), e) }},
	{"$2a$", matchesBcrypt},
	{"$2b$", matchesBcrypt},
	{"$2y$", matchesBcrypt},
}

func matchesBcrypt(e, pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(e), []byte(pw)) == nil
}

// sameHash compares in constant time, as a password check should.
func sameHash(want, entry string) bool {
	return subtle.ConstantTimeCompare([]byte(want), []byte(entry)) == 1
}

// cryptAlphabet is crypt(3)'s base 64.
const cryptAlphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// to64 appends n characters of v, six bits at a time, low bits first.
func to64(b []byte, v uint32, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, cryptAlphabet[v&0x3f])
		v >>= 6
	}
	return b
}

// cryptSalt is the salt of an entry after its magic: up to max
// characters, ending at `$`.
func cryptSalt(entry, magic string, max int) string {
	s := strings.TrimPrefix(entry, magic)
	if i := strings.IndexByte(s, '$'); i >= 0 {
		s = s[:i]
	}
	if len(s) > max {
		s = s[:max]
	}
	return s
}

// md5Crypt is Poul-Henning Kamp's MD5 crypt, under magic "$1$" or
// Apache's "$apr1$".
func md5Crypt(password, entry, magic string) string {
	key, salt := []byte(password), []byte(cryptSalt(entry, magic, 8))
	alt := md5.Sum(bytes.Join([][]byte{key, salt, key}, nil))
	ctx := md5.New()
	ctx.Write(key)
	ctx.Write([]byte(magic))
	ctx.Write(salt)
	for i := len(key); i > 0; i -= 16 {
		ctx.Write(alt[:min(i, 16)])
	}
	for i := len(key); i != 0; i >>= 1 {
		if i&1 != 0 {
			ctx.Write([]byte{0})
		} else {
			ctx.Write(key[:1])
		}
	}
	final := cryptRounds(md5.New, 1000, ctx.Sum(nil), key, salt)
	out := append([]byte(magic), salt...)
	out = append(out, '$')
	for _, t := range [][3]int{{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}} {
		out = to64(out, uint32(final[t[0]])<<16|uint32(final[t[1]])<<8|uint32(final[t[2]]), 4)
	}
	return string(to64(out, uint32(final[11]), 2))
}

// cryptRounds is the stretching MD5-crypt and SHA-crypt share: each
// round hashes the key and the last digest, in turns, with the salt
// when the round is not a multiple of 3 and the key again when it is
// not one of 7.
func cryptRounds(newHash func() hash.Hash, rounds int, digest, key, salt []byte) []byte {
	for i := range rounds {
		h := newHash()
		if i&1 != 0 {
			h.Write(key)
		} else {
			h.Write(digest)
		}
		if i%3 != 0 {
			h.Write(salt)
		}
		if i%7 != 0 {
			h.Write(key)
		}
		if i&1 != 0 {
			h.Write(digest)
		} else {
			h.Write(key)
		}
		digest = h.Sum(nil)
	}
	return digest
}

// The byte order in which SHA-crypt writes its digest, three bytes to
// four characters, then what is left.
var (
	sha256Order = [][3]int{{0, 10, 20}, {21, 1, 11}, {12, 22, 2}, {3, 13, 23}, {24, 4, 14},
		{15, 25, 5}, {6, 16, 26}, {27, 7, 17}, {18, 28, 8}, {9, 19, 29}, {-1, 31, 30}}
	sha512Order = [][3]int{{0, 21, 42}, {22, 43, 1}, {44, 2, 23}, {3, 24, 45}, {25, 46, 4},
		{47, 5, 26}, {6, 27, 48}, {28, 49, 7}, {50, 8, 29}, {9, 30, 51}, {31, 52, 10},
		{53, 11, 32}, {12, 33, 54}, {34, 55, 13}, {56, 14, 35}, {15, 36, 57}, {37, 58, 16},
		{59, 17, 38}, {18, 39, 60}, {40, 61, 19}, {62, 20, 41}, {-1, -1, 63}}
)

// shaCrypt is Ulrich Drepper's SHA-crypt ($5$, $6$), with its optional
// `rounds=N$`.
func shaCrypt(newHash func() hash.Hash, order [][3]int, magic, password, entry string) string {
	rest := strings.TrimPrefix(entry, magic)
	rounds, custom := 5000, false
	if r, ok := strings.CutPrefix(rest, "rounds="); ok {
		if n, after, ok := strings.Cut(r, "$"); ok {
			if v, err := strconv.Atoi(n); err == nil {
				rounds, custom, rest = min(max(v, 1000), 999999999), true, after
			}
		}
	}
	key, salt := []byte(password), []byte(cryptSalt(rest, "", 16))
	sum := func(parts ...[]byte) []byte {
		h := newHash()
		for _, p := range parts {
			h.Write(p)
		}
		return h.Sum(nil)
	}
	size := newHash().Size()
	b := sum(key, salt, key)
	a := newHash()
	a.Write(key)
	a.Write(salt)
	for i := len(key); i > 0; i -= size {
		a.Write(b[:min(i, size)])
	}
	for i := len(key); i > 0; i >>= 1 {
		if i&1 != 0 {
			a.Write(b)
		} else {
			a.Write(key)
		}
	}
	c := a.Sum(nil)
	repeat := func(d []byte, n int) []byte {
		out := make([]byte, 0, n)
		for len(out) < n {
			out = append(out, d[:min(len(d), n-len(out))]...)
		}
		return out
	}
	dp := newHash()
	for range key {
		dp.Write(key)
	}
	p := repeat(dp.Sum(nil), len(key))
	ds := newHash()
	for range 16 + int(c[0]) {
		ds.Write(salt)
	}
	c = cryptRounds(newHash, rounds, c, p, repeat(ds.Sum(nil), len(salt)))
	out := []byte(magic)
	if custom {
		out = append(out, "rounds="+strconv.Itoa(rounds)+"$"...)
	}
	out = append(append(out, salt...), '$')
	for _, t := range order {
		var v uint32
		n := 4
		for j, idx := range t {
			if idx >= 0 {
				v |= uint32(c[idx]) << (8 * (2 - j))
			} else {
				n--
			}
		}
		out = to64(out, v, n)
	}
	return string(out)
}

package gateway

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"net/http"
	"os"
	"strings"

	"github.com/berth-dev/berth/gateway/nginx"
)

// basicCredentials reads the Authorization header as
// ngx_http_auth_basic_user does: "Basic " in any case, spaces, base64 of
// user:password with a non-empty user. ok is false for anything else.
func basicCredentials(v *reqVars) (user, password string, ok bool) {
	h, found := v.header("Authorization")
	if !found || len(h) < 6 || !strings.EqualFold(h[:6], "Basic ") {
		return "", "", false
	}
	enc := strings.TrimLeft(h[6:], " ")
	if enc == "" {
		return "", "", false
	}
	raw, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(enc, "="))
	if err != nil {
		return "", "", false
	}
	user, password, found = strings.Cut(string(raw), ":")
	if !found || user == "" {
		return "", "", false
	}
	return user, password, true
}

// authBasic is ngx_http_auth_basic_handler: with auth_basic in effect
// (its realm not "off") and a user file, the client's credentials are
// checked against the file, read afresh for every request as nginx reads
// it. It returns 0 when auth_basic does not apply, 200 when the
// credentials pass, or the refusal: 401 with the realm to ask in, 403
// when the file does not exist, 500 when it cannot be read.
func (st *state) authBasic() (status int, realm, why string) {
	ab := accessSettingsFor(st.conf).authBasic
	rd, fd := ab[0], ab[1]
	if rd == nil {
		return 0, "", ""
	}
	realm = st.vars.expand(rd.Args[0])
	if realm == "off" {
		return 0, "", ""
	}
	user, password, ok := basicCredentials(st.vars)
	if !ok {
		return http.StatusUnauthorized, realm, "no user/password was provided for basic authentication"
	}
	file := st.t.Config.ConfFile(st.vars.expand(fd.Args[0]))
	data, err := st.opts.Files.ReadFile(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return http.StatusForbidden, "", fmt.Sprintf("auth_basic_user_file %q does not exist", file)
	case err != nil:
		return http.StatusInternalServerError, "", err.Error()
	}
	entry, found := userEntry(data, user)
	if !found {
		return http.StatusUnauthorized, realm, fmt.Sprintf("user %q was not found in %q", user, file)
	}
	if ok, known := passwordMatches(entry, password); !ok {
		why := fmt.Sprintf("user %q: password mismatch", user)
		if !known {
			why = fmt.Sprintf("user %q: Berth cannot check the password scheme of its entry in %q", user, file)
		}
		return http.StatusUnauthorized, realm, why
	}
	return http.StatusOK, "", ""
}

// userEntry finds user's password field in an htpasswd file as nginx's
// reader does: lines starting with `#` or CR are skipped, the user must
// be followed by `:`, and the field ends at CR, LF or `:`.
func userEntry(data []byte, user string) (string, bool) {
	for u, entry := range userEntries(data) {
		if u == user {
			return entry, true
		}
	}
	return "", false
}

// userEntries reads an htpasswd file as nginx's reader does: lines
// starting with `#` or CR are skipped, the user ends at `:`, its entry
// at CR, LF or `:` (a comment field follows).
func userEntries(data []byte) iter.Seq2[string, string] {
	return func(yield func(user, entry string) bool) {
		for _, line := range strings.Split(string(data), "\n") {
			if line == "" || line[0] == '#' || line[0] == '\r' {
				continue
			}
			user, rest, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			if i := strings.IndexAny(rest, "\r:"); i >= 0 {
				rest = rest[:i]
			}
			if !yield(user, rest) {
				return
			}
		}
	}
}

// basicChallenge is the WWW-Authenticate of an auth_basic refusal.
func basicChallenge(realm string) string { return `Basic realm="` + realm + `"` }

// checkUserFile says in the import report what a user file here will do:
// missing, every request asking is refused with 403, as nginx refuses it;
// entries in a scheme Berth cannot check (DES, yescrypt) refuse their
// users where Debian's nginx would let them in.
func (c *compiler) checkUserFile(d *nginx.Directive) {
	if hasVariables(d.Args[0]) {
		return
	}
	file := c.t.Config.ConfFile(d.Args[0])
	data, err := os.ReadFile(file)
	if err != nil {
		c.noteOnce(d, fmt.Sprintf("cannot read the user file (%v): requests it guards are refused with 403, as nginx refuses them", err))
		return
	}
	var users []string
	for user, entry := range userEntries(data) {
		if !knownScheme(entry) {
			users = append(users, user)
		}
	}
	if len(users) > 0 {
		c.noteOnce(d, fmt.Sprintf("the passwords of %s use a scheme Berth cannot check (DES or yescrypt): Berth refuses them; give them $apr1$, $5$, $6$ or bcrypt ones (htpasswd -B) to log in locally", strings.Join(users, ", ")))
	}
}

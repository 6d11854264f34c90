package app

import (
	"regexp"
	"strings"
)

// secretName matches environment variable names whose values are
// secrets by convention: PASSWORD, TOKEN, SECRET, API_KEY, PRIVATE_KEY,
// CREDENTIALS and the like.
var secretName = regexp.MustCompile(`(?i)(pass(word|wd)?|secret|token|api_?key|private_?key|access_?key|credential|auth|session_?key|salt|signing)`)

// secretURL matches the password part of a URL with credentials
// (postgres://user:pw@host).
var secretURL = regexp.MustCompile(`(://[^/:@\s]+:)([^@\s]+)(@)`)

// maskSecret is the value as the Details pane shows it: values that look
// like secrets become "••••••", a password inside a URL is blanked, the
// rest shows as it is. The screen is often shared; the stack file is not.
func maskSecret(name, value string) string {
	if value == "" {
		return value
	}
	if secretName.MatchString(name) {
		return "••••••"
	}
	if strings.Contains(value, "://") {
		return secretURL.ReplaceAllString(value, "${1}••••••${3}")
	}
	return value
}

// Package fynelocale keeps Fyne from complaining about the C locale.
//
// Fyne reads the user's language when its lang package initialises, and
// logs "Error parsing user locale C" for LANG=C.UTF-8, the default of
// Debian and of most containers and CI machines: noise on every berth
// command, and in the logs of every demo service (the berth binary
// too). Imported by main, this package initialises before Fyne's (Go
// initialises ready packages in import-path order, and Fyne's locale
// reader sorts after this one), and sets LANGUAGE=en, which Fyne reads
// first and which only gettext message catalogues otherwise use. Restore
// puts the environment back, so services get exactly the user's.
package fynelocale

import "os"

// set says init set LANGUAGE, which Restore must undo.
var set bool

func init() {
	if _, ok := os.LookupEnv("LANGUAGE"); ok {
		return
	}
	locale := ""
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if locale = os.Getenv(name); locale != "" {
			break
		}
	}
	if isC(locale) && os.Setenv("LANGUAGE", "en") == nil {
		set = true
	}
}

// isC says whether a locale is C or POSIX, with or without a codeset
// (C.UTF-8), which Fyne cannot parse as a language.
func isC(locale string) bool {
	for i := 0; i < len(locale); i++ {
		if locale[i] == '.' || locale[i] == '@' {
			locale = locale[:i]
			break
		}
	}
	return locale == "C" || locale == "POSIX"
}

// Restore undoes what init did to the environment. Call it first in main.
func Restore() {
	if set {
		os.Unsetenv("LANGUAGE")
		set = false
	}
}

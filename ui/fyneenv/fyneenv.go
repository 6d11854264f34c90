// Package fyneenv sets the environment Fyne reads as it initialises,
// before it does, and puts it back for the processes Berth starts.
//
// Go initialises ready packages in import-path order, and Fyne's readers
// sort after this one, so importing it from main is enough. It sets:
//
//   - LANGUAGE=en under a C locale. Fyne's lang package logs "Error
//     parsing user locale C" for LANG=C.UTF-8, the default of Debian and
//     of most containers and CI machines: noise on every berth command,
//     and in the log of every demo service (the berth binary too).
//     LANGUAGE is read first by Fyne and otherwise only by gettext.
//   - FYNE_CACHE=10s. Fyne keeps a texture for every text it draws for a
//     minute; a log view following 100,000 lines a second draws new texts
//     thirty times a second, which held 700 MiB and climbing after a
//     minute. Lines that scrolled away are not drawn again soon, so ten
//     seconds keeps memory flat (300 MiB under that flood).
//
// Restore puts the environment back, so services get exactly the user's.
package fyneenv

import "os"

// set lists what init set, for Restore to unset.
var set []string

func init() {
	if _, ok := os.LookupEnv("LANGUAGE"); !ok && isC(userLocale()) {
		setDefault("LANGUAGE", "en")
	}
	if _, ok := os.LookupEnv("FYNE_CACHE"); !ok {
		setDefault("FYNE_CACHE", "10s")
	}
}

func setDefault(name, value string) {
	if os.Setenv(name, value) == nil {
		set = append(set, name)
	}
}

// userLocale is the locale messages are in, as gettext finds it.
func userLocale() string {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(name); v != "" {
			return v
		}
	}
	return ""
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
	for _, name := range set {
		os.Unsetenv(name)
	}
	set = nil
}

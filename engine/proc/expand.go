package proc

import "strings"

// expandable are the only names ExpandWord replaces: Compose interpolates
// everything else at load, so any other $NAME left in a command is meant
// literally.
var expandable = map[string]bool{"PORT": true, "BERTH_SOCKET": true}

// ExpandWord replaces $PORT, ${PORT}, $BERTH_SOCKET and ${BERTH_SOCKET} in
// one word of a command with their values from env (empty when env lacks
// them, as a shell would), and $$ with $. Anything else, $HOME or ${PORT:-1}
// included, is kept as written: the word is not given to a shell.
func ExpandWord(word string, env map[string]string) string {
	if !strings.Contains(word, "$") {
		return word
	}
	var b strings.Builder
	for i := 0; i < len(word); {
		c := word[i]
		if c != '$' || i+1 == len(word) {
			b.WriteByte(c)
			i++
			continue
		}
		next := word[i+1]
		switch {
		case next == '$':
			b.WriteByte('$')
			i += 2
		case next == '{':
			end := strings.IndexByte(word[i+2:], '}')
			if end >= 0 && expandable[word[i+2:i+2+end]] {
				b.WriteString(env[word[i+2:i+2+end]])
				i += 2 + end + 1
				continue
			}
			b.WriteByte('$')
			i++
		case isNameStart(next):
			j := i + 2
			for j < len(word) && isNameByte(word[j]) {
				j++
			}
			if name := word[i+1 : j]; expandable[name] {
				b.WriteString(env[name])
			} else {
				b.WriteString(word[i:j])
			}
			i = j
		default:
			b.WriteByte('$')
			i++
		}
	}
	return b.String()
}

func isNameStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isNameByte(c byte) bool { return isNameStart(c) || '0' <= c && c <= '9' }

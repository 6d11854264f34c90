package uwsgi

// statusLine is a parsed "HTTP/x.y NNN text" line.
type statusLine struct {
	proto string // "HTTP/1.1"
	code  int
	text  string // from the code to the end of line: "200 OK"
}

// readStatusLine tries to read the first response line as a status line,
// following ngx_http_parse_status_line: "HTTP/", a major version of up to
// three digits not starting with 0, ".", a minor version, one space, then
// three digits (spaces before and between them are skipped), then a space,
// a "." (IIS's "403.1"), or the end of line. When the line is not a status
// line it returns ok=false and the bytes it consumed, so the caller can
// re-read them as a header, as nginx falls back to CGI-style parsing.
func readStatusLine(src *headReader) (st statusLine, ok bool, consumed []byte, err error) {
	const (
		sHTTP = iota
		sFirstMajor
		sMajor
		sFirstMinor
		sMinor
		sStatus
		sAfterStatus
		sText
		sAlmostDone
	)
	var (
		line         = make([]byte, 0, 64) // a usual status line in one allocation
		state        = sHTTP
		major, minor int
		protoEnd     int
		digits       int
		codeStart    int
		textEnd      = -1
	)
	for {
		c, err := src.next()
		if err != nil {
			return statusLine{}, false, nil, err
		}
		line = append(line, c)
		p := len(line) - 1
		bad := false
		switch state {
		case sHTTP:
			if c != "HTTP/"[p] {
				bad = true
			} else if p == 4 {
				state = sFirstMajor
			}
		case sFirstMajor:
			if c < '1' || c > '9' {
				bad = true
			} else {
				major = int(c - '0')
				state = sMajor
			}
		case sMajor:
			switch {
			case c == '.':
				state = sFirstMinor
			case c < '0' || c > '9' || major > 99:
				bad = true
			default:
				major = major*10 + int(c-'0')
			}
		case sFirstMinor:
			if c < '0' || c > '9' {
				bad = true
			} else {
				minor = int(c - '0')
				state = sMinor
			}
		case sMinor:
			switch {
			case c == ' ':
				protoEnd = p
				state = sStatus
			case c < '0' || c > '9' || minor > 99:
				bad = true
			default:
				minor = minor*10 + int(c-'0')
			}
		case sStatus:
			switch {
			case c == ' ':
			case c < '0' || c > '9':
				bad = true
			default:
				st.code = st.code*10 + int(c-'0')
				digits++
				if digits == 3 {
					codeStart = p - 2
					state = sAfterStatus
				}
			}
		case sAfterStatus:
			switch c {
			case ' ', '.':
				state = sText
			case '\r':
				state = sAlmostDone
			case '\n':
				textEnd = p
			default:
				bad = true
			}
		case sText:
			switch c {
			case '\r':
				state = sAlmostDone
			case '\n':
				textEnd = p
			}
		case sAlmostDone:
			if c != '\n' {
				bad = true
			} else {
				textEnd = p - 1
			}
		}
		if bad {
			return statusLine{}, false, line, nil
		}
		if textEnd >= 0 {
			st.proto = string(line[:protoEnd])
			st.text = string(line[codeStart:textEnd])
			return st, true, nil, nil
		}
	}
}

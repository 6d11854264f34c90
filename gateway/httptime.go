package gateway

// ngxParseHTTPTime is ngx_parse_http_time: the date of If-Modified-Since,
// If-Unmodified-Since, If-Range and an upstream's Last-Modified, in the
// three HTTP formats (RFC 822 `Tue, 10 Nov 2002 23:50:13 GMT`, RFC 850
// `Tuesday, 10-Nov-02 23:50:13 GMT`, asctime `Tue Nov 10 23:50:13
// 2002`), as leniently as nginx reads them: the weekday and zone are
// not checked, and a month is known by as few letters as tell it apart.
// It returns seconds since 1970 and whether the text was a date.
func ngxParseHTTPTime(s string) (int64, bool) {
	at := func(i int) byte {
		if i >= 0 && i < len(s) {
			return s[i]
		}
		return 0
	}
	digit := func(i int) bool { return at(i) >= '0' && at(i) <= '9' }
	num := func(i, n int) int64 { // n digits at i, checked by the caller
		var v int64
		for k := 0; k < n; k++ {
			v = v*10 + int64(at(i+k)-'0')
		}
		return v
	}
	const (
		rfc822 = iota + 1
		rfc850
		isoc
	)
	fmt := 0
	p := 0
	for ; p < len(s); p++ {
		if s[p] == ',' {
			break
		}
		if s[p] == ' ' {
			fmt = isoc
			break
		}
	}
	for p++; p < len(s) && s[p] == ' '; p++ {
	}
	if len(s)-p < 18 {
		return 0, false
	}
	var day, year int64
	if fmt != isoc {
		if !digit(p) || !digit(p+1) {
			return 0, false
		}
		day = num(p, 2)
		p += 2
		switch at(p) {
		case ' ':
			if len(s)-p < 18 {
				return 0, false
			}
			fmt = rfc822
		case '-':
			fmt = rfc850
		default:
			return 0, false
		}
		p++
	}
	var month int64
	switch at(p) {
	case 'J':
		switch {
		case at(p+1) == 'a':
			month = 0
		case at(p+2) == 'n':
			month = 5
		default:
			month = 6
		}
	case 'F':
		month = 1
	case 'M':
		month = 4
		if at(p+2) == 'r' {
			month = 2
		}
	case 'A':
		month = 7
		if at(p+1) == 'p' {
			month = 3
		}
	case 'S':
		month = 8
	case 'O':
		month = 9
	case 'N':
		month = 10
	case 'D':
		month = 11
	default:
		return 0, false
	}
	p += 3
	if fmt == rfc822 && at(p) != ' ' || fmt == rfc850 && at(p) != '-' {
		return 0, false
	}
	p++
	switch fmt {
	case rfc822:
		if !digit(p) || !digit(p+1) || !digit(p+2) || !digit(p+3) {
			return 0, false
		}
		year = num(p, 4)
		p += 4
	case rfc850:
		if !digit(p) || !digit(p+1) {
			return 0, false
		}
		year = num(p, 2)
		if year < 70 {
			year += 2000
		} else {
			year += 1900
		}
		p += 2
	case isoc:
		if at(p) == ' ' {
			p++
		}
		if !digit(p) {
			return 0, false
		}
		day = num(p, 1)
		p++
		if at(p) != ' ' {
			if !digit(p) {
				return 0, false
			}
			day = day*10 + num(p, 1)
			p++
		}
		if len(s)-p < 14 {
			return 0, false
		}
	}
	if at(p) != ' ' || !digit(p+1) || !digit(p+2) || at(p+3) != ':' || !digit(p+4) || !digit(p+5) ||
		at(p+6) != ':' || !digit(p+7) || !digit(p+8) {
		return 0, false
	}
	hour, min, sec := num(p+1, 2), num(p+4, 2), num(p+7, 2)
	p += 9
	if fmt == isoc {
		if at(p) != ' ' || !digit(p+1) || !digit(p+2) || !digit(p+3) || !digit(p+4) {
			return 0, false
		}
		year = num(p+1, 4)
	}
	if hour > 23 || min > 59 || sec > 59 {
		return 0, false
	}
	mday := [12]int64{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	if day == 29 && month == 1 {
		if year&3 != 0 || year%100 == 0 && year%400 != 0 {
			return 0, false
		}
	} else if day > mday[month] {
		return 0, false
	}
	// Gauss' formula, from March 1 of 1 BC, as nginx counts.
	if month--; month <= 0 {
		month += 12
		year--
	}
	days := 365*year + year/4 - year/100 + year/400 + 367*month/12 - 30 + day - 1 - 719527 + 31 + 28
	return days*86400 + hour*3600 + min*60 + sec, true
}

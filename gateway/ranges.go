package gateway

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// byteRange is one range of a file, end exclusive.
type byteRange struct{ start, end int64 }

// rangeVerdict is what ngx_http_range_parse makes of a Range header.
type rangeVerdict int

const (
	rangeWhole         rangeVerdict = iota // NGX_DECLINED: the whole file, 200
	rangeParts                             // NGX_OK: 206 with these ranges
	rangeUnsatisfiable                     // 416
)

// parseRanges is ngx_http_range_parse for the value of `Range: bytes=`
// (spec, what follows "bytes=") on a file of size bytes, at most max
// ranges: a malformed spec is unsatisfiable (416), not ignored; ranges
// that start past the end are dropped, and only none left is 416; more
// ranges than max, or ranges adding up past the file, serve it whole.
func parseRanges(spec string, size int64, max int) ([]byteRange, rangeVerdict) {
	at := func(i int) byte { // C's NUL past the end
		if i < len(spec) {
			return spec[i]
		}
		return 0
	}
	digit := func(c byte) bool { return c >= '0' && c <= '9' }
	spaces := func(i int) int {
		for at(i) == ' ' {
			i++
		}
		return i
	}
	// number reads digits at i, refusing a value past the largest offset.
	number := func(i int) (int64, int, bool) {
		var n int64
		for digit(at(i)) {
			d := int64(at(i) - '0')
			if n > (math.MaxInt64-d)/10 {
				return 0, i, false
			}
			n = n*10 + d
			i++
		}
		return n, i, true
	}
	var ranges []byteRange
	var total int64
	left := max
	i := 0
	for {
		var start, end int64
		var ok bool
		suffix := false
		i = spaces(i)
		if at(i) != '-' {
			if !digit(at(i)) {
				return nil, rangeUnsatisfiable
			}
			if start, i, ok = number(i); !ok {
				return nil, rangeUnsatisfiable
			}
			i = spaces(i)
			if at(i) != '-' {
				return nil, rangeUnsatisfiable
			}
			i = spaces(i + 1)
			if at(i) == ',' || at(i) == 0 {
				end = size
				goto found
			}
		} else {
			suffix = true
			i++
		}
		if !digit(at(i)) {
			return nil, rangeUnsatisfiable
		}
		if end, i, ok = number(i); !ok {
			return nil, rangeUnsatisfiable
		}
		i = spaces(i)
		if at(i) != ',' && at(i) != 0 {
			return nil, rangeUnsatisfiable
		}
		if suffix {
			start = 0
			if end < size {
				start = size - end
			}
			end = size - 1
		}
		if end >= size {
			end = size
		} else {
			end++
		}
	found:
		if start < end {
			ranges = append(ranges, byteRange{start, end})
			if total > math.MaxInt64-(end-start) {
				return nil, rangeUnsatisfiable
			}
			total += end - start
			if left == 0 {
				return nil, rangeWhole
			}
			left--
		} else if start == 0 {
			return nil, rangeWhole
		}
		if at(i) != ',' {
			break
		}
		i++
	}
	if len(ranges) == 0 {
		return nil, rangeUnsatisfiable
	}
	if total > size {
		return nil, rangeWhole
	}
	return ranges, rangeParts
}

// fileRanges is ngx_http_range_header_filter for a static file's 200:
// whether ranges apply at all (offered says whether the response carries
// Accept-Ranges), and what the Range header asks. A compressed response
// takes no ranges (the gzip filter clears them first, and gzip_static
// never offers them), nor does max_ranges 0.
func fileRanges(req *http.Request, c *Conf, etag string, modTime time.Time, size int64, compressed bool) (ranges []byteRange, v rangeVerdict, offered bool) {
	max := maxRangesFor(c)
	if compressed || max == 0 {
		return nil, rangeWhole, false
	}
	rv := req.Header.Get("Range")
	if len(rv) < 7 || !strings.EqualFold(rv[:6], "bytes=") {
		return nil, rangeWhole, true
	}
	if ir, ok := req.Header["If-Range"]; ok && !ifRangeHolds(ir[0], etag, modTime) {
		return nil, rangeWhole, true
	}
	ranges, v = parseRanges(rv[6:], size, max)
	return ranges, v, v == rangeWhole
}

// ifRangeHolds is nginx's If-Range test: an entity tag (ending in `"`)
// equal byte for byte to the ETag, else a date equal to Last-Modified.
func ifRangeHolds(ir, etag string, modTime time.Time) bool {
	if len(ir) >= 2 && ir[len(ir)-1] == '"' {
		return etag != "" && ir == etag
	}
	t, ok := ngxParseHTTPTime(ir)
	return ok && t == modTime.Unix()
}

// maxRangesFor is max_ranges: unlimited by default.
func maxRangesFor(c *Conf) int {
	if c != nil {
		if d := c.Get("max_ranges"); d != nil {
			if n, err := strconv.Atoi(d.Args[0]); err == nil {
				return n
			}
		}
	}
	return math.MaxInt
}

package gateway

import (
	"math"
	"reflect"
	"testing"
)

// parseRanges against ngx_http_range_parse's rules, on a 36-byte file.
func TestParseRanges(t *testing.T) {
	cases := []struct {
		spec   string
		max    int
		ranges []byteRange
		v      rangeVerdict
	}{
		{"0-9", math.MaxInt, []byteRange{{0, 10}}, rangeParts},
		{"-5", math.MaxInt, []byteRange{{31, 36}}, rangeParts},
		{"-100", math.MaxInt, []byteRange{{0, 36}}, rangeParts},
		{"30-", math.MaxInt, []byteRange{{30, 36}}, rangeParts},
		{"30-1000", math.MaxInt, []byteRange{{30, 36}}, rangeParts},
		{" 1 - 2 , 4-5 ", math.MaxInt, []byteRange{{1, 3}, {4, 6}}, rangeParts},
		{"0-1,1000-2000", math.MaxInt, []byteRange{{0, 2}}, rangeParts},
		{"1000-2000", math.MaxInt, nil, rangeUnsatisfiable},
		{"5-2", math.MaxInt, nil, rangeUnsatisfiable},
		{"abc", math.MaxInt, nil, rangeUnsatisfiable},
		{"1-2;", math.MaxInt, nil, rangeUnsatisfiable},
		{"99999999999999999999-", math.MaxInt, nil, rangeUnsatisfiable},
		{"0-1,2-3", 1, nil, rangeWhole},             // more ranges than max_ranges
		{"0-30,0-30", math.MaxInt, nil, rangeWhole}, // adding up past the file
		{"-0", math.MaxInt, nil, rangeUnsatisfiable},
		{"0-0", math.MaxInt, []byteRange{{0, 1}}, rangeParts},
	}
	for _, c := range cases {
		r, v := parseRanges(c.spec, 36, c.max)
		if v != c.v || !reflect.DeepEqual(r, c.ranges) {
			t.Errorf("parseRanges(%q, max %d) = %v, %d; want %v, %d", c.spec, c.max, r, v, c.ranges, c.v)
		}
	}
}

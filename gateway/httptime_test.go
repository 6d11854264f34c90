package gateway

import (
	"net/http"
	"testing"
)

// ngx_parse_http_time's leniency and its limits.
func TestNgxParseHTTPTime(t *testing.T) {
	const nov2002 = "Sun, 10 Nov 2002 23:50:13 GMT"
	want, err := http.ParseTime(nov2002)
	if err != nil {
		t.Fatal(err)
	}
	for in, ok := range map[string]bool{
		nov2002:                              true,
		"Sunday, 10-Nov-02 23:50:13 GMT":     true,
		"Sun Nov 10 23:50:13 2002":           true,
		"Xyz, 10 Nov 2002 23:50:13 gmt":      true, // weekday and zone unread
		"Sun, 10 Nov 2002 23:50:13":          true,
		"Sun, 10 Nov 2002 23:50:13 GMT+junk": true,
		"Sun, 10 nov 2002 23:50:13 GMT":      false, // months are capitalised
		"Sun, 10 Nov 2002 24:50:13 GMT":      false,
		"Sun, 31 Nov 2002 23:50:13 GMT":      false,
		"garbage":                            false,
		"":                                   false,
	} {
		got, gotOK := ngxParseHTTPTime(in)
		if gotOK != ok || ok && got != want.Unix() {
			t.Errorf("ngxParseHTTPTime(%q) = %d, %v; want %d, %v", in, got, gotOK, want.Unix(), ok)
		}
	}
	if got, ok := ngxParseHTTPTime("Thu, 29 Feb 2024 00:00:00 GMT"); !ok || got != 1709164800 {
		t.Errorf("29 February 2024: %d, %v", got, ok)
	}
	if _, ok := ngxParseHTTPTime("Fri, 29 Feb 2023 00:00:00 GMT"); ok {
		t.Errorf("29 February 2023 parsed")
	}
}

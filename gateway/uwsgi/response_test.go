package uwsgi

import (
	"bufio"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// responseCases are response heads and what nginx makes of them; each is
// also replayed through real nginx in TestResponseHeadMatchesNginx.
var responseCases = []struct {
	name    string
	in      string
	want    *ResponseHead // nil when an error is expected
	wantErr error
	body    string // what is left on the reader after the head
}{
	{
		name: "status line",
		in:   "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
		want: &ResponseHead{Proto: "HTTP/1.1", Status: 200, StatusLine: "200 OK",
			Headers: []Header{{"Content-Type", "text/plain"}, {"Content-Length", "5"}}},
		body: "hello",
	},
	{
		name: "bare LF line ends",
		in:   "HTTP/1.0 404 Not Found\nX-A: 1\n\nrest",
		want: &ResponseHead{Proto: "HTTP/1.0", Status: 404, StatusLine: "404 Not Found",
			Headers: []Header{{"X-A", "1"}}},
		body: "rest",
	},
	{
		name: "code without text",
		in:   "HTTP/1.1 204\r\n\r\n",
		want: &ResponseHead{Proto: "HTTP/1.1", Status: 204, StatusLine: "204"},
	},
	{
		name: "IIS sub-status",
		in:   "HTTP/1.1 403.1 Forbidden\r\n\r\n",
		want: &ResponseHead{Proto: "HTTP/1.1", Status: 403, StatusLine: "403.1 Forbidden"},
	},
	{
		name: "spaces before the code",
		in:   "HTTP/1.1   201 Created \r\n\r\n",
		want: &ResponseHead{Proto: "HTTP/1.1", Status: 201, StatusLine: "201 Created "},
	},
	{
		name: "two-digit versions",
		in:   "HTTP/10.10 200 OK\r\n\r\n",
		want: &ResponseHead{Proto: "HTTP/10.10", Status: 200, StatusLine: "200 OK"},
	},
	{
		name: "status line wins over Status header",
		in:   "HTTP/1.1 200 OK\r\nStatus: 404 Nope\r\n\r\n",
		want: &ResponseHead{Proto: "HTTP/1.1", Status: 200, StatusLine: "200 OK",
			Headers: []Header{{"Status", "404 Nope"}}},
	},
	{
		name: "CGI Status",
		in:   "Status: 404 Not Found\r\nContent-Type: text/html\r\n\r\n<p>",
		want: &ResponseHead{Status: 404, StatusLine: "404 Not Found",
			Headers: []Header{{"Status", "404 Not Found"}, {"Content-Type", "text/html"}}},
		body: "<p>",
	},
	{
		name: "CGI status name in any case",
		in:   "sTaTuS: 201 Created\r\n\r\n",
		want: &ResponseHead{Status: 201, StatusLine: "201 Created",
			Headers: []Header{{"sTaTuS", "201 Created"}}},
	},
	{
		name: "CGI first Status wins",
		in:   "Status: 401 A\r\nStatus: 402 B\r\n\r\n",
		want: &ResponseHead{Status: 401, StatusLine: "401 A",
			Headers: []Header{{"Status", "401 A"}, {"Status", "402 B"}}},
	},
	{
		name: "CGI Status only reads three digits",
		in:   "Status: 200abc\r\n\r\n",
		want: &ResponseHead{Status: 200, StatusLine: "200abc", Headers: []Header{{"Status", "200abc"}}},
	},
	{
		name: "CGI Location gives 302",
		in:   "Location: /elsewhere\r\n\r\n",
		want: &ResponseHead{Status: 302, StatusLine: "302 Moved Temporarily",
			Headers: []Header{{"Location", "/elsewhere"}}},
	},
	{
		name: "CGI Status beats Location",
		in:   "Location: /x\r\nStatus: 301 Moved\r\n\r\n",
		want: &ResponseHead{Status: 301, StatusLine: "301 Moved",
			Headers: []Header{{"Location", "/x"}, {"Status", "301 Moved"}}},
	},
	{
		name: "CGI default 200",
		in:   "Content-Type: text/plain\r\n\r\nbody",
		want: &ResponseHead{Status: 200, StatusLine: "200 OK",
			Headers: []Header{{"Content-Type", "text/plain"}}},
		body: "body",
	},
	{
		name: "CGI empty head",
		in:   "\r\nbody",
		want: &ResponseHead{Status: 200, StatusLine: "200 OK"},
		body: "body",
	},
	{
		name: "broken status line is skipped as an HTTP/ line",
		in:   "HTTP/1.1 2000 OK\r\nX-A: y\r\n\r\n",
		want: &ResponseHead{Status: 200, StatusLine: "200 OK", Headers: []Header{{"X-A", "y"}}},
	},
	{
		name: "HTTP/0.9 is not a status line",
		in:   "HTTP/0.9 404 Gone\r\nStatus: 410 Gone\r\n\r\n",
		want: &ResponseHead{Status: 410, StatusLine: "410 Gone", Headers: []Header{{"Status", "410 Gone"}}},
	},
	{
		name: "duplicate HTTP/ lines after the status line are skipped",
		in:   "HTTP/1.1 200 OK\r\nHTTP/1.1 200 OK\r\nX-A: 1\r\n\r\n",
		want: &ResponseHead{Proto: "HTTP/1.1", Status: 200, StatusLine: "200 OK", Headers: []Header{{"X-A", "1"}}},
	},
	{
		name: "order, case and duplicates kept",
		in:   "HTTP/1.1 200 OK\r\nx-Zed: z\r\nX-A: 1\r\nx-a: 2\r\nX_Under: u\r\n\r\n",
		want: &ResponseHead{Proto: "HTTP/1.1", Status: 200, StatusLine: "200 OK",
			Headers: []Header{{"x-Zed", "z"}, {"X-A", "1"}, {"x-a", "2"}, {"X_Under", "u"}}},
	},
	{
		name: "spaces trimmed, tabs and inner spaces kept",
		in:   "HTTP/1.1 200 OK\r\nX-T:   \ta  b\t  \r\nX-E:\r\nX-S:    \r\n\r\n",
		want: &ResponseHead{Proto: "HTTP/1.1", Status: 200, StatusLine: "200 OK",
			Headers: []Header{{"X-T", "\ta  b\t"}, {"X-E", ""}, {"X-S", ""}}},
	},
	{
		name: "line without colon is a header with no value",
		in:   "HTTP/1.1 200 OK\r\nWeird\r\nX-A: 1\r\n\r\n",
		want: &ResponseHead{Proto: "HTTP/1.1", Status: 200, StatusLine: "200 OK",
			Headers: []Header{{"Weird", ""}, {"X-A", "1"}}},
	},
	{
		name: "odd bytes in a name are kept",
		in:   "HTTP/1.1 200 OK\r\nX.y@z: 1\r\n\r\n",
		want: &ResponseHead{Proto: "HTTP/1.1", Status: 200, StatusLine: "200 OK",
			Headers: []Header{{"X.y@z", "1"}}},
	},
	{
		name: "CRs before LF",
		in:   "HTTP/1.1 200 OK\r\nX-A: 1\r\r\n\r\n",
		want: &ResponseHead{Proto: "HTTP/1.1", Status: 200, StatusLine: "200 OK",
			Headers: []Header{{"X-A", "1"}}},
	},
	{name: "CGI invalid Status", in: "Status: abc\r\n\r\n", wantErr: ErrInvalidStatus},
	{name: "CGI short Status", in: "Status: 20\r\n\r\n", wantErr: ErrInvalidStatus},
	{name: "CGI empty Status", in: "Status:\r\n\r\n", wantErr: ErrInvalidStatus},
	{name: "folded header", in: "HTTP/1.1 200 OK\r\nX-A: 1\r\n  more\r\n\r\n", wantErr: ErrInvalidHeader},
	{name: "space in name", in: "HTTP/1.1 200 OK\r\nBad Name: 1\r\n\r\n", wantErr: ErrInvalidHeader},
	{name: "lower-case http line", in: "http/1.1 200 OK\r\n\r\n", wantErr: ErrInvalidHeader},
	{name: "empty name", in: "HTTP/1.1 200 OK\r\n: v\r\n\r\n", wantErr: ErrInvalidHeader},
	{name: "NUL in value", in: "HTTP/1.1 200 OK\r\nX-A: a\x00b\r\n\r\n", wantErr: ErrInvalidHeader},
	{name: "bare CR in value", in: "HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n", wantErr: ErrInvalidHeader},
	{name: "CR CR at head end", in: "HTTP/1.1 200 OK\r\n\r\r\n", wantErr: ErrInvalidHeader},
	{name: "nothing", in: "", wantErr: io.ErrUnexpectedEOF},
	{name: "cut status line", in: "HTTP/1.1 20", wantErr: io.ErrUnexpectedEOF},
	{name: "cut head", in: "HTTP/1.1 200 OK\r\nX-A: 1\r\n", wantErr: io.ErrUnexpectedEOF},
	{name: "too big", in: "HTTP/1.1 200 OK\r\nX-A: " + strings.Repeat("a", MaxHeadSize) + "\r\n\r\n", wantErr: ErrHeadTooBig},
}

func TestReadResponseHead(t *testing.T) {
	for _, tc := range responseCases {
		t.Run(tc.name, func(t *testing.T) {
			r := bufio.NewReader(strings.NewReader(tc.in))
			got, err := ReadResponseHead(r)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadResponseHead: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("head mismatch\n got %+v\nwant %+v", got, tc.want)
			}
			if rest, _ := io.ReadAll(r); string(rest) != tc.body {
				t.Errorf("body left = %q, want %q", rest, tc.body)
			}
		})
	}
}

func TestHeadAtTheCap(t *testing.T) {
	line := "HTTP/1.1 200 OK\r\n"
	end := "\r\n\r\n"
	filler := strings.Repeat("a", MaxHeadSize-len(line)-len("X-A: ")-len(end))
	in := line + "X-A: " + filler + end + "body"
	r := bufio.NewReader(strings.NewReader(in))
	if _, err := ReadResponseHead(r); err != nil {
		t.Fatalf("a head of exactly MaxHeadSize bytes must be read: %v", err)
	}
	if rest, _ := io.ReadAll(r); string(rest) != "body" {
		t.Errorf("body = %q", rest)
	}
}

func TestContentAndBodyLength(t *testing.T) {
	cases := []struct {
		name    string
		status  int
		headers []Header
		method  string
		cl      int64
		body    int64
	}{
		{"none", 200, nil, "GET", -1, -1},
		{"plain", 200, []Header{{"Content-Length", "12"}}, "GET", 12, 12},
		{"any case", 200, []Header{{"content-length", "3"}}, "GET", 3, 3},
		{"last wins", 200, []Header{{"Content-Length", "1"}, {"Content-Length", "2"}}, "GET", 2, 2},
		{"invalid means unknown", 200, []Header{{"Content-Length", "1"}, {"Content-Length", "x"}}, "GET", -1, -1},
		{"sign is invalid", 200, []Header{{"Content-Length", "+5"}}, "GET", -1, -1},
		{"overflow is invalid", 200, []Header{{"Content-Length", "99999999999999999999"}}, "GET", -1, -1},
		{"204 has no body", 204, []Header{{"Content-Length", "5"}}, "GET", 5, 0},
		{"304 has no body", 304, nil, "GET", -1, 0},
		{"HEAD reads to EOF", 200, []Header{{"Content-Length", "5"}}, "HEAD", 5, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := &ResponseHead{Status: tc.status, Headers: tc.headers}
			if got := h.ContentLength(); got != tc.cl {
				t.Errorf("ContentLength = %d, want %d", got, tc.cl)
			}
			if got := h.BodyLength(tc.method); got != tc.body {
				t.Errorf("BodyLength(%s) = %d, want %d", tc.method, got, tc.body)
			}
		})
	}
}

func FuzzReadResponseHead(f *testing.F) {
	for _, tc := range responseCases {
		if len(tc.in) < 1024 {
			f.Add([]byte(tc.in))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		counted := &countingReader{r: strings.NewReader(string(in))}
		r := bufio.NewReaderSize(counted, 16)
		h, err := ReadResponseHead(r)
		consumed := counted.n - r.Buffered()
		if consumed > MaxHeadSize {
			t.Fatalf("consumed %d bytes, more than MaxHeadSize", consumed)
		}
		if err != nil {
			if h != nil {
				t.Fatal("head returned with an error")
			}
			return
		}
		if h.Status < 0 || h.Status > 999 {
			t.Fatalf("status %d out of range", h.Status)
		}
		if h.StatusLine == "" {
			t.Fatal("empty status line")
		}
	})
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

package nginx

// context is where a directive sits. The directive contexts are bits, so a
// directive's table entry can name all the places it may appear, as
// nginx's NGX_*_CONF flags do. The block-body contexts after ctxAny are not
// bits: no directive is looked up there, the block's lines are entries.
type context uint16

const (
	ctxMain        context = 1 << iota // top level of nginx.conf
	ctxEvents                          // events {}
	ctxHTTP                            // http {}
	ctxServer                          // server {} in http
	ctxLocation                        // location {}
	ctxUpstream                        // upstream {}
	ctxIfServer                        // if {} in server
	ctxIfLocation                      // if {} in location
	ctxLimitExcept                     // limit_except {}

	ctxAny context = 1<<iota - 1 // include: everywhere
)

// Block bodies whose lines are not directives: each line goes to the
// block's own reader in nginx (cf->handler), so "{" is refused and
// argument rules are the block's own. Their bits are apart from the
// directive contexts, so no table row ever matches them.
const (
	ctxTypes        context = 1 << (iota + 9) // types {}: `mime/type ext...;`
	ctxMap                                    // map {}: `key value;`
	ctxGeo                                    // geo {}: `cidr value;`
	ctxSplitClients                           // split_clients {}: `percent value;`
	ctxCharsetMap                             // charset_map {}: `code code;`
	ctxOpaque                                 // an unknown block, or stream/mail: kept, not checked

	entryContexts = ctxTypes | ctxMap | ctxGeo | ctxSplitClients | ctxCharsetMap
)

var contextNames = map[context]string{
	ctxMain: "main", ctxEvents: "events", ctxHTTP: "http", ctxServer: "server",
	ctxLocation: "location", ctxUpstream: "upstream", ctxIfServer: "if in server",
	ctxIfLocation: "if in location", ctxLimitExcept: "limit_except",
	ctxTypes: "types", ctxMap: "map", ctxGeo: "geo", ctxSplitClients: "split_clients",
	ctxCharsetMap: "charset_map", ctxOpaque: "unchecked block",
}

func (c context) String() string {
	if n, ok := contextNames[c]; ok {
		return n
	}
	return "mixed context"
}

// entries reports whether lines in this context are entries, not directives.
func (c context) entries() bool { return c&entryContexts != 0 }

// argRule is a directive's argument count rule, with nginx's meaning: bit n
// allows n arguments (n <= 7); flag is exactly one; more1 and more2 are "at
// least".
type argRule uint16

const (
	noArgs argRule = 1 << iota
	take1
	take2
	take3
	take4
	take5
	take6
	take7
	flag
	more1
	more2

	take12   = take1 | take2
	take13   = take1 | take3
	take23   = take2 | take3
	take123  = take1 | take2 | take3
	take1234 = take1 | take2 | take3 | take4
)

// maxArgs is nginx's NGX_CONF_MAX_ARGS: with a fixed-count rule, a
// directive and its arguments are at most this many words.
const maxArgs = 8

// allows reports whether n arguments fit the rule, checked in nginx's order.
func (r argRule) allows(n int) bool {
	switch {
	case r&flag != 0:
		return n == 1
	case r&more1 != 0:
		return n >= 1
	case r&more2 != 0:
		return n >= 2
	case n+1 > maxArgs:
		return false
	}
	return r&(1<<n) != 0
}

// specFlags are a directive's other properties.
type specFlags uint8

const (
	isBlock specFlags = 1 << iota // takes a { } body
	onOff                         // its one argument must be "on" or "off" (any case)
)

// spec is one row of the directive table.
type spec struct {
	name  string
	ctx   context
	args  argRule
	flags specFlags
}

// specsByName indexes the table. A name can have several rows (upstream's
// `server` and http's `server {}`); as in nginx, the first row allowed in
// the current context decides.
var specsByName = func() map[string][]spec {
	m := make(map[string][]spec, len(directiveTable))
	for _, s := range directiveTable {
		m[s.name] = append(m[s.name], s)
	}
	return m
}()

// bodyContext is the context of a known block directive's body.
func bodyContext(name string, parent context) context {
	switch name {
	case "events":
		return ctxEvents
	case "http":
		return ctxHTTP
	case "server":
		return ctxServer
	case "location":
		return ctxLocation
	case "upstream":
		return ctxUpstream
	case "if":
		if parent == ctxServer {
			return ctxIfServer
		}
		return ctxIfLocation
	case "limit_except":
		return ctxLimitExcept
	case "types":
		return ctxTypes
	case "map":
		return ctxMap
	case "geo":
		return ctxGeo
	case "split_clients":
		return ctxSplitClients
	case "charset_map":
		return ctxCharsetMap
	}
	return ctxOpaque
}

// mainOnly reports whether a directive can only be at the top of
// nginx.conf, which tells a full nginx.conf from a conf.d snippet.
func mainOnly(name string) bool {
	specs := specsByName[name]
	if len(specs) == 0 {
		return false
	}
	for _, s := range specs {
		if s.ctx&^ctxMain != 0 {
			return false
		}
	}
	return true
}

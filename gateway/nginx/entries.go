package nginx

// entry checks one line of a types/map/geo/split_clients/charset_map
// block, as that block's own reader in nginx does (only the checks about
// words; values are for the compile step), and expands includes. Lines are
// kept as directives: the first word is the Name.
func (p *parser) entry(lx *lexer, ctx context, d *Directive) ([]*Directive, error) {
	n := 1 + len(d.Args)
	key := cstr(d.Name)
	switch ctx {
	case ctxTypes:
		if key == "include" {
			if n != 2 {
				return nil, lx.errorf(`invalid number of arguments in "include" directive`)
			}
			return p.include(lx, d, ctx, true)
		}
	case ctxMap:
		if n == 1 && (key == "hostnames" || key == "volatile") {
			break
		}
		if n != 2 {
			return nil, lx.errorf("invalid number of the map parameters")
		}
		if key == "include" {
			return p.include(lx, d, ctx, true)
		}
	case ctxGeo:
		if n == 1 && (key == "ranges" || key == "proxy_recursive") {
			break
		}
		if n != 2 {
			return nil, lx.errorf("invalid number of the geo parameters")
		}
		if key == "include" {
			// geo reads its include as one file: no glob.
			return p.include(lx, d, ctx, false)
		}
	case ctxSplitClients:
		// nginx checks only the percent (a value the compile step reads)
		// and never the word count.
	case ctxCharsetMap:
		if n != 2 {
			return nil, lx.errorf("invalid parameters number")
		}
	}
	return []*Directive{d}, nil
}

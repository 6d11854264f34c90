package gateway

import (
	"io"
	"sync"

	"github.com/berth-dev/berth/gateway/nginx"
	"github.com/berth-dev/berth/resources"
)

// debianHTTPFile names where the implicit settings of a snippet come from.
const debianHTTPFile = "/etc/nginx/nginx.conf (Debian's, around conf.d snippets)"

// debianHTTP is the part of Debian's /etc/nginx/nginx.conf http block
// that changes responses. A conf.d snippet runs inside it in production,
// so Berth reads snippets inside it too.
var debianHTTP = sync.OnceValue(func() []*nginx.Directive {
	at := func(line int) nginx.Pos { return nginx.Pos{File: debianHTTPFile, Line: line} }
	ds := []*nginx.Directive{
		{Name: "default_type", Args: []string{"application/octet-stream"}, Pos: at(15), NginxLine: 15, BlockOffset: -1},
		{Name: "gzip", Args: []string{"on"}, Pos: at(48), NginxLine: 48, BlockOffset: -1},
	}
	if f, err := resources.StandardNginxFiles().Open("mime.types"); err == nil {
		defer f.Close()
		if data, err := io.ReadAll(f); err == nil {
			if cfg, err := nginx.Parse("/etc/nginx/mime.types", data, nginx.Options{}); err == nil {
				ds = append(ds, cfg.Root...)
			}
		}
	}
	return ds
})

// snippetParent is the configuration level a snippet's http context
// inherits from: Debian's defaults.
func snippetParent() *Conf { return newConf(LevelHTTP, nil, debianHTTP()) }

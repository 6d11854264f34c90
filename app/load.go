package app

import (
	"errors"
	"fmt"

	"github.com/berth-dev/berth/gateway"
	"github.com/berth-dev/berth/gateway/nginx"
)

// configFlags are the flags every command that reads an nginx config takes.
type configFlags struct {
	file       string
	prefix     string
	prodPrefix string
}

// loadTable reads and compiles an nginx config. Its error names the file
// and line, as `nginx -t` would.
func loadTable(cf configFlags) (*gateway.Table, error) {
	if cf.file == "" {
		return nil, fmt.Errorf("no nginx config given (-c FILE)")
	}
	cfg, err := nginx.ParseFile(cf.file, nginx.Options{Prefix: cf.prefix, ProdPrefix: cf.prodPrefix})
	if err != nil {
		return nil, configError(err)
	}
	t, err := gateway.Compile(cfg)
	if err != nil {
		return nil, configError(err)
	}
	return t, nil
}

// configError words a config error as nginx does, with file:line first.
func configError(err error) error {
	var ne *nginx.Error
	if errors.As(err, &ne) {
		return fmt.Errorf("%s", ne.Error())
	}
	return err
}

package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/tollgate/tollgate/internal/capture"
)

// Client reads a running gateway's admin endpoints. It implements
// capture.Source.
type Client struct {
	Base  string // e.g. http://127.0.0.1:9090
	Token string
	HTTP  *http.Client
}

func (c *Client) get(path string, v any) error {
	req, err := http.NewRequest("GET", strings.TrimSuffix(c.Base, "/")+path, nil)
	if err != nil {
		return err
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("asking %s: %w (no gateway's admin listener there: is one running with --admin at that address?)", c.Base, err)
	}
	if err != nil {
		return fmt.Errorf("asking %s: %w", c.Base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		var e struct {
			Error struct{ Code, Message string }
		}
		json.Unmarshal(body, &e)
		switch resp.StatusCode {
		case 404:
			if e.Error.Code == "NotFound" {
				return capture.ErrNotFound
			}
		case 409:
			return &remoteError{e.Error.Message}
		}
		if e.Error.Message != "" {
			return fmt.Errorf("%s: %s", c.Base, e.Error.Message)
		}
		return fmt.Errorf("%s answered %s", c.Base, resp.Status)
	}
	return json.Unmarshal(body, v)
}

type remoteError struct{ msg string }

func (e *remoteError) Error() string { return e.msg }

// Capture implements capture.Source.
func (c *Client) Capture(id string) (*capture.Doc, error) {
	d := new(capture.Doc)
	if err := c.get("/v1/captures/"+url.PathEscape(id), d); err != nil {
		return nil, err
	}
	return d, nil
}

// Captures implements capture.Source.
func (c *Client) Captures(since time.Time, limit int) ([]*capture.Doc, error) {
	d := time.Since(since).Round(time.Second)
	if d < time.Second {
		d = time.Second
	}
	var docs []*capture.Doc
	q := url.Values{"since": {d.String()}}
	if limit > 0 {
		q.Set("limit", fmt.Sprint(limit))
	}
	err := c.get("/v1/captures?"+q.Encode(), &docs)
	return docs, err
}

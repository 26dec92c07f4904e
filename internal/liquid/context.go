package liquid

import (
	"strconv"

	"github.com/osteele/liquid/values"
)

// Context is what a template sees as `context`: the members of APIM's
// context object that its Liquid integration binds.
type Context struct {
	Request  RequestView
	Response *ResponseView // nil in the inbound section
	// Variables are context.Variables, each as its .NET string form.
	Variables map[string]string
}

// RequestView is `context.Request`.
type RequestView struct {
	Method            string
	OriginalMethod    string
	Url               URLView // APIM spells it Url
	OriginalUrl       URLView
	IpAddress         string
	MatchedParameters map[string]string
	Headers           map[string][]string
	HasBody           bool
}

// ResponseView is `context.Response`.
type ResponseView struct {
	StatusCode int
	Headers    map[string][]string
}

// URLView is `context.Request.Url` and `context.Request.OriginalUrl`.
// When ToString is empty, the template sees the URL assembled from the
// other fields.
type URLView struct {
	Scheme      string
	Host        string
	Port        int
	Path        string
	Query       map[string][]string
	QueryString string // as APIM exposes it, including the leading '?' when not empty
	ToString    string
}

// String is Url.ToString().
func (u URLView) String() string {
	if u.ToString != "" {
		return u.ToString
	}
	if u.Host == "" {
		return u.Path + u.QueryString
	}
	s := u.Scheme + "://" + u.Host
	if u.Port != 0 && !(u.Port == 443 && u.Scheme == "https") && !(u.Port == 80 && u.Scheme == "http") {
		s += ":" + strconv.Itoa(u.Port)
	}
	return s + u.Path + u.QueryString
}

type contextView struct {
	view
	c *Context
}

func (v contextView) Interface() any { return v }
func (v contextView) Equal(o values.Value) bool {
	x, ok := o.Interface().(contextView)
	return ok && x.c == v.c
}
func (v contextView) String() string { return "" }
func (v contextView) PropertyValue(k values.Value) values.Value {
	switch keyString(k) {
	case "Request":
		return requestView{c: &v.c.Request}
	case "Variables":
		return values.ValueOf(v.c.Variables)
	case "Response":
		if v.c.Response != nil {
			return responseView{r: v.c.Response}
		}
	}
	return values.ValueOf(nil)
}

type requestView struct {
	view
	c *RequestView
}

func (v requestView) Interface() any { return v }
func (v requestView) Equal(o values.Value) bool {
	x, ok := o.Interface().(requestView)
	return ok && x.c == v.c
}
func (v requestView) String() string { return "" }
func (v requestView) PropertyValue(k values.Value) values.Value {
	r := v.c
	switch keyString(k) {
	case "Method":
		return values.ValueOf(r.Method)
	case "OriginalMethod":
		return values.ValueOf(r.OriginalMethod)
	case "Url":
		return urlView{u: &r.Url}
	case "OriginalUrl":
		return urlView{u: &r.OriginalUrl}
	case "IpAddress":
		return values.ValueOf(r.IpAddress)
	case "MatchedParameters":
		return &strDict{m: r.MatchedParameters}
	case "Headers":
		return newMultiDict(r.Headers)
	case "HasBody":
		return values.ValueOf(r.HasBody)
	}
	return values.ValueOf(nil)
}

type responseView struct {
	view
	r *ResponseView
}

func (v responseView) Interface() any { return v }
func (v responseView) Equal(o values.Value) bool {
	x, ok := o.Interface().(responseView)
	return ok && x.r == v.r
}
func (v responseView) String() string { return "" }
func (v responseView) PropertyValue(k values.Value) values.Value {
	switch keyString(k) {
	case "StatusCode":
		return values.ValueOf(v.r.StatusCode)
	case "Headers":
		return newMultiDict(v.r.Headers)
	}
	return values.ValueOf(nil)
}

type urlView struct {
	view
	u *URLView
}

func (v urlView) Interface() any { return v }
func (v urlView) Equal(o values.Value) bool {
	x, ok := o.Interface().(urlView)
	return ok && x.u == v.u
}
func (v urlView) String() string { return v.u.String() }
func (v urlView) PropertyValue(k values.Value) values.Value {
	u := v.u
	switch keyString(k) {
	case "Scheme":
		return values.ValueOf(u.Scheme)
	case "Host":
		return values.ValueOf(u.Host)
	case "Port":
		return values.ValueOf(u.Port)
	case "Path":
		return values.ValueOf(u.Path)
	case "Query":
		return newMultiDict(u.Query)
	case "QueryString":
		return values.ValueOf(u.QueryString)
	case "ToString", "ToUri":
		return values.ValueOf(u.String())
	}
	return values.ValueOf(nil)
}

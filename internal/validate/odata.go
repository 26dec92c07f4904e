package validate

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// ODataLimits are the settings of validate-odata-request. Versions are
// "4.0", "4.01" or empty (no bound; the default version is 4.0).
type ODataLimits struct {
	Default, Min, Max string
	MaxSize           int64 // bytes; 0 means no limit
}

// ODataRule is the ValidationRule of OData errors: the request does not
// conform to the OData protocol.
const ODataRule = "ODataProtocol"

// odataOptions are the system query options of OData 4.0; odataOptions401
// adds those of 4.01.
var (
	odataOptions = []string{"$apply", "$count", "$deltatoken", "$expand", "$filter", "$format", "$id",
		"$levels", "$orderby", "$search", "$select", "$skip", "$skiptoken", "$top"}
	odataOptions401 = []string{"$compute", "$index", "$schemaversion"}
)

// odataError is one OData protocol error, which prevents.
func odataError(name, typ, details string) *Error {
	return &Error{Name: name, Type: typ, ValidationRule: ODataRule, Details: details, Action: Prevent, Cause: details}
}

// odataVersion returns the rank of an OData version (4.0 < 4.01), or -1.
func odataVersion(v string) int {
	switch strings.TrimSpace(v) {
	case "4.0":
		return 0
	case "4.01":
		return 1
	}
	return -1
}

// ODataRequest returns the errors of a request to an OData API: its
// OData-Version and OData-MaxVersion headers against the allowed versions,
// its system query options (names known to the version, each given once,
// values of the right form), and its body size. Every error prevents.
func ODataRequest(version, maxVersion, rawQuery string, bodySize int64, lim ODataLimits) []*Error {
	var errs []*Error
	header := func(name, details string) { errs = append(errs, odataError(name, RequestHeader, details)) }
	lo, hi := odataVersion(lim.Min), odataVersion(lim.Max)
	effective := lim.Default
	if effective == "" {
		effective = "4.0"
	}
	if version != "" {
		switch r := odataVersion(version); {
		case r < 0:
			header("OData-Version", fmt.Sprintf("OData-Version %q is not an OData version this API accepts: use 4.0 or 4.01.", version))
		case lo >= 0 && r < lo:
			header("OData-Version", fmt.Sprintf("OData-Version %s is below the minimum version %s.", version, lim.Min))
		case hi >= 0 && r > hi:
			header("OData-Version", fmt.Sprintf("OData-Version %s is above the maximum version %s.", version, lim.Max))
		default:
			effective = strings.TrimSpace(version)
		}
	}
	if maxVersion != "" {
		switch r := odataVersion(maxVersion); {
		case r < 0:
			header("OData-MaxVersion", fmt.Sprintf("OData-MaxVersion %q is not an OData version: use 4.0 or 4.01.", maxVersion))
		case lo >= 0 && r < lo:
			header("OData-MaxVersion", fmt.Sprintf("OData-MaxVersion %s is below the minimum version %s this API accepts.", maxVersion, lim.Min))
		}
	}
	errs = append(errs, odataQuery(rawQuery, effective == "4.01")...)
	if lim.MaxSize > 0 && bodySize > lim.MaxSize {
		e := SizeLimit(RequestBody, bodySize, lim.MaxSize)
		e.Action = Prevent
		errs = append(errs, e)
	}
	return errs
}

// odataQuery checks the system query options of a query string. In OData
// 4.01 the $ prefix is optional and names ignore case; in 4.0 neither.
func odataQuery(rawQuery string, v401 bool) []*Error {
	var errs []*Error
	fail := func(name, details string) { errs = append(errs, odataError(name, QueryParameter, details)) }
	seen := map[string]bool{}
	for part := range strings.SplitSeq(rawQuery, "&") {
		if part == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(part, "=")
		name, err := url.QueryUnescape(rawName)
		if err != nil {
			fail(rawName, fmt.Sprintf("Query option %q is not correctly escaped.", rawName))
			continue
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			fail(name, fmt.Sprintf("The value of query option %s is not correctly escaped.", name))
			continue
		}
		canonical, system := odataOption(name, v401)
		if !system {
			if strings.HasPrefix(name, "$") {
				details := fmt.Sprintf("Unknown system query option %s.", name)
				if c, ok := odataOption(name, true); ok && !v401 {
					details = fmt.Sprintf("Unknown system query option %s in OData 4.0 (%s is written exactly so, and some options exist only in 4.01).", name, c)
				}
				fail(name, details)
			}
			continue
		}
		if seen[canonical] {
			fail(name, fmt.Sprintf("System query option %s is given more than once.", canonical))
			continue
		}
		seen[canonical] = true
		if d := odataValue(canonical, value); d != "" {
			fail(name, d)
		}
	}
	return errs
}

// odataOption returns the canonical name of a system query option, and
// whether name is one.
func odataOption(name string, v401 bool) (string, bool) {
	if !v401 {
		return name, slices.Contains(odataOptions, name)
	}
	n := strings.ToLower(name)
	if !strings.HasPrefix(n, "$") {
		n = "$" + n
		// Without the prefix, a name is a system option only in 4.01, and
		// only when the service defines no custom option of that name: a
		// gateway cannot know, so only prefixed names are checked.
		return n, false
	}
	return n, slices.Contains(odataOptions, n) || slices.Contains(odataOptions401, n)
}

// odataValue checks the value of the system options with a fixed form.
func odataValue(option, value string) string {
	switch option {
	case "$top", "$skip", "$index":
		if n, err := strconv.ParseInt(value, 10, 64); err != nil || n < 0 && option != "$index" {
			return fmt.Sprintf("The value of %s must be a non-negative integer, not %q.", option, value)
		}
	case "$count":
		if value != "true" && value != "false" {
			return fmt.Sprintf("The value of $count must be true or false, not %q.", value)
		}
	case "$filter", "$orderby", "$select", "$expand", "$search", "$apply", "$compute":
		if strings.TrimSpace(value) == "" {
			return fmt.Sprintf("The value of %s must not be empty.", option)
		}
		if !balanced(value) {
			return fmt.Sprintf("The value of %s has unbalanced parentheses or quotes.", option)
		}
	}
	return ""
}

// balanced reports whether the parentheses of an OData expression balance
// outside its string literals ('…', with ” as an escaped quote).
func balanced(s string) bool {
	depth, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			if depth--; depth < 0 {
				return false
			}
		}
	}
	return depth == 0 && !quoted
}

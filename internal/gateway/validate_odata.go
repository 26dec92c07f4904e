package gateway

import (
	"time"

	"github.com/tollgate/tollgate/internal/policy"
	"github.com/tollgate/tollgate/internal/validate"
)

// execValidateODataRequest checks the request's OData version headers,
// system query options and body size. Every error prevents: 400 with the
// first error's details, and all of them in error-variable-name.
func (x *exchange) execValidateODataRequest(st *policy.Step, p *policy.ValidateODataRequest, began time.Time) *Error {
	maxSize, err := x.integer(st, p.MaxSize)
	if err != nil {
		return err
	}
	var size int64
	if b := x.req.body; b != nil && maxSize > 0 {
		data, rerr := b.Read(true)
		if rerr != nil {
			return policyError(st.Name, "BodyReadFailure", "Body could not be read.", 500, "reading the body: "+rerr.Error())
		}
		size = int64(len(data))
	}
	lim := validate.ODataLimits{Default: p.DefaultVersion.Resolved(), Min: p.MinVersion.Resolved(),
		Max: p.MaxVersion.Resolved(), MaxSize: int64(maxSize)}
	errs := validate.ODataRequest(x.req.header.Get("OData-Version"), x.req.header.Get("OData-MaxVersion"), x.req.rawQuery, size, lim)
	return x.report(st, p.ErrorVariableName, errs, began)
}

package config

import (
	"sort"

	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/policy"
)

// PolicyOptions say how policy documents are compiled.
type PolicyOptions struct {
	// Compile compiles policy expressions; nil leaves them uncompiled (for
	// tools that only read documents).
	Compile policy.ExprCompiler
	// Runnable reports whether the gateway can execute a policy; nil means
	// every policy is runnable.
	Runnable func(name string) bool
}

// Policies are the policy documents of a configuration, read, checked and
// compiled once. A scope without a policy file has no entry.
type Policies struct {
	Global     *policy.Document            // the root policy.xml, or APIM's default global policy when absent
	Products   map[string]*policy.Document // by product name
	APIs       map[string]*policy.Document // by API ID ("orders", "orders;rev=2")
	Operations map[string]map[string]*policy.Document
}

// Effective composes the policy that runs for op of api, in the context of
// product (nil when the request is not in a product context). With a nil api
// it is the global policy alone (requests that match no API).
func (p *Policies) Effective(api *API, op *Operation, product *Product) *policy.Effective {
	var prod, a, o *policy.Document
	if product != nil {
		prod = p.Products[product.Name]
	}
	if api == nil {
		return policy.Compose(p.Global, nil, nil, nil)
	}
	a = p.APIs[api.ID]
	if op != nil {
		o = p.Operations[api.ID][op.Name]
	}
	return policy.Compose(p.Global, prod, a, o)
}

// LoadPolicies reads every policy document of snap — global, product, API
// and operation scope, with fragments inlined and named values substituted —
// and reports every problem in them.
func LoadPolicies(snap *Snapshot, opts PolicyOptions) (*Policies, diag.List) {
	env := &policy.Env{
		Fragments:  map[string]*diag.File{},
		Compile:    opts.Compile,
		Runnable:   opts.Runnable,
		SecretHint: "with the environment variable TOLLGATE_NAMED_VALUE_<NAME> or in a values file (--values, namedValues: - name: <name>, properties: value)",
	}
	names := make([]string, 0, len(snap.NamedValues))
	for name := range snap.NamedValues {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		nv := snap.NamedValues[name]
		env.NamedValues = append(env.NamedValues, policy.NamedValue{
			DisplayName: nv.DisplayName, Value: nv.Value, Secret: nv.Secret, HasValue: nv.HasValue,
		})
	}
	for name, f := range snap.Fragments {
		if f.Policy != nil {
			env.Fragments[name] = f.Policy
		}
	}

	var diags diag.List
	load := func(f *diag.File, scope policy.Scope) *policy.Document {
		doc, d := policy.LoadDocument(f, scope, env)
		diags.Append(d)
		return doc
	}
	p := &Policies{
		Products:   map[string]*policy.Document{},
		APIs:       map[string]*policy.Document{},
		Operations: map[string]map[string]*policy.Document{},
	}
	if snap.GlobalPolicy != nil {
		p.Global = load(snap.GlobalPolicy, policy.Global)
	} else {
		p.Global = policy.DefaultGlobal()
	}
	for name, prod := range snap.Products {
		if prod.Policy != nil {
			p.Products[name] = load(prod.Policy, policy.Product)
		}
	}
	for _, api := range snap.APIs {
		if api.Policy != nil {
			p.APIs[api.ID] = load(api.Policy, policy.API)
		}
		for _, op := range api.Operations {
			if op.Policy == nil {
				continue
			}
			if p.Operations[api.ID] == nil {
				p.Operations[api.ID] = map[string]*policy.Document{}
			}
			p.Operations[api.ID][op.Name] = load(op.Policy, policy.Operation)
		}
	}
	// Fragments are checked on their own too, so a broken fragment that no
	// policy includes is still reported.
	for _, f := range snap.Fragments {
		if f.Policy != nil {
			_, d := policy.LoadDocument(f.Policy, policy.Fragment, env)
			diags.Append(d)
		}
	}
	diags.Sort()
	return p, diags
}

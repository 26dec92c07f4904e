package liquid

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Hostile templates and bodies stop at a budget named in the error, with the
// line of the template, without allocating what they ask for.
func TestBudgets(t *testing.T) {
	bigArray := "[" + strings.Repeat("1,", 5000) + "1]"
	tests := []struct {
		name, src, ct, body string
		lim                 Limits
		budget              string // BudgetError.Budget
		line                int
	}{
		{"range loop", "x\n{% for i in (1..2000000000) %}{% endfor %}", "", "", Limits{}, "iteration", 2},
		{"nested loops over the body", "{% for a in body %}{% for b in body %}{% for c in body %}{% endfor %}{% endfor %}{% endfor %}", "application/json", bigArray, Limits{}, "iteration", 1},
		{"output of a loop", "{% for i in (1..100000) %}{{ \"abc\" }}{% endfor %}", "", "", Limits{MaxOutput: 1000}, "output", 1},
		{"printed body", "{% for i in (1..1000) %}{{ body }}{% endfor %}", "application/json", bigArray, Limits{MaxOutput: 100000}, "output", 1},
		{"Times", `{{ "ab" | Times: 2000000000 }}`, "", "", Limits{}, "output", 1},
		{"doubling by Append", "{% assign s = \"ab\" %}\n{% for i in (1..64) %}{% assign s = s | Append: s %}{% endfor %}", "", "", Limits{}, "output", 2},
		{"doubling by Plus", "{% assign s = \"ab\" %}{% for i in (1..64) %}{% assign s = s | Plus: s %}{% endfor %}", "", "", Limits{}, "output", 1},
		{"doubling by capture", "{% assign s = \"ab\" %}{% for i in (1..64) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}", "", "", Limits{}, "output", 1},
		{"Replace", `{% assign s = "aaaaaaaaaa" | Times: 100000 %}{% assign t = "bbbbbbbbbb" | Times: 100000 %}{{ s | Replace: "a", t }}`, "", "", Limits{}, "output", 1},
		{"Join", `{% assign s = "a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a" | Times: 10000 %}{% assign t = "b" | Times: 1000000 %}{{ s | Split: "," | Join: t }}`, "", "", Limits{}, "output", 1},
		{"JSON body memory", "{{ body.size }}", "application/json", bigArray, Limits{MaxBodyMemory: 50000}, "body memory", 0},
		{"XML body memory", "{{ body }}", "application/xml", "<a>" + strings.Repeat("<b x='1'/>", 5000) + "</a>", Limits{MaxBodyMemory: 50000}, "body memory", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := CompileWithLimits(tt.src, tt.lim)
			if err != nil {
				t.Fatal(err)
			}
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err = tpl.Render(&Message{ContentType: tt.ct, Body: []byte(tt.body)}, nil, Options{})
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			var be *BudgetError
			var le *Error
			if !errors.As(err, &be) || !errors.As(err, &le) {
				t.Fatalf("error %v (%T), want a budget error", err, err)
			}
			if be.Budget != tt.budget || !strings.Contains(err.Error(), "the template ran out of its "+tt.budget+" budget of") {
				t.Errorf("error %q, want the %s budget", err, tt.budget)
			}
			if le.Line != tt.line {
				t.Errorf("line %d, want %d (%v)", le.Line, tt.line, err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 200<<20 {
				t.Errorf("allocated %d MB on the way", alloc>>20)
			}
		})
	}
}

// Budgets are per render, and normal templates stay well inside them.
func TestBudgetsArePerRender(t *testing.T) {
	tpl, err := CompileWithLimits("{% for i in (1..60) %}{{ i }}{% endfor %}", Limits{MaxIterations: 100})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := tpl.Render(nil, nil, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := tpl.Limits(); got.MaxIterations != 100 || got.MaxOutput != DefaultMaxOutput || got.MaxBodyMemory != DefaultMaxBodyMemory {
		t.Errorf("limits %+v", got)
	}
}

// A render stops when its request's context ends.
func TestRenderStopsAtTheDeadline(t *testing.T) {
	tpl, err := CompileWithLimits("{% for i in (1..2000000000) %}{% assign x = i %}{% endfor %}", Limits{MaxIterations: 2000000000})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = tpl.RenderContext(ctx, nil, nil, Options{})
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "the template was stopped") {
		t.Errorf("error %v, want the deadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v after a 50 ms deadline", d)
	}
}

// The tags tollgate defines behave as Liquid's.
func TestLoopTags(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"{% for i in body.none %}x{% else %}empty{% endfor %}", ""}, // nil is not iterated at all
		{"{% for i in (1..0) %}x{% else %}empty{% endfor %}", "empty"},
		{"{% assign i = 7 %}{% for i in (1..2) %}{% for j in (1..2) %}{{ forloop.index }}{% endfor %}{{ forloop.index }}{% endfor %}{{ i }}{{ forloop.index }}", "1211227"},
		{"{% for i in (1..6) reversed offset:1 limit:3 %}{{ i }}{% endfor %}", "543"},
		{"{% for i in (1..3) %}{% for j in (1..3) %}{% if j == 2 %}{% break %}{% endif %}{{ i }}{{ j }}{% endfor %}{% endfor %}", "112131"},
		{"{% tablerow i in (1..3) cols:2 %}{{ i }}{% endtablerow %}", `<tr class="row1"><td class="col1">1</td><td class="col2">2</td></tr><tr class="row2"><td class="col1">3</td></tr>`},
		{"{% for p in body %}{{ p.Key }}={{ p.Value }};{% endfor %}", "a=1;b=2;"},
		{"{% for i in (1..4) %}{% cycle 'x': 'a', 'b', 'c' %}{% endfor %}", "abca"},
	} {
		tpl, err := Compile(tt.src)
		if err != nil {
			t.Fatalf("%s: %v", tt.src, err)
		}
		got, err := tpl.Render(&Message{ContentType: "application/json", Body: []byte(`{"a":1,"b":2}`)}, nil, Options{})
		if err != nil || got != tt.want {
			t.Errorf("%s = %q, %v; want %q", tt.src, got, err, tt.want)
		}
	}
	if _, err := Compile("{% capture a b %}x{% endcapture %}"); err == nil {
		t.Error("capture with two names compiled")
	}
	tpl, _ := Compile("{% break %}")
	if _, err := tpl.Render(nil, nil, Options{}); err == nil || !strings.Contains(err.Error(), "break outside a loop") {
		t.Errorf("break outside a loop: %v", err)
	}
}

package server

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/uclg-digital-cities/kb/internal/app"
	"github.com/uclg-digital-cities/kb/internal/apperr"
	"github.com/uclg-digital-cities/kb/internal/auth"
)

// Metrics are the server's Prometheus metrics, in a registry of its own (no global state).
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	shed     *prometheus.CounterVec
}

// NewMetrics makes the metrics; svc, when not nil, gives the knowledge base's figures.
func NewMetrics(svc interface {
	Stats(ctx context.Context) (app.Stats, error)
}) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kb_http_requests_total", Help: "HTTP requests by route, method and status."},
			[]string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kb_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"route", "method"}),
		shed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kb_http_shed_total", Help: "Expensive requests refused with 503 under overload, by route."},
			[]string{"route"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.shed, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if svc != nil {
		m.reg.MustRegister(statsCollector{svc})
	}
	return m
}

// observe counts and times every request, labelled by its route pattern (bounded).
func (m *Metrics) observe() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, method(c), strconv.Itoa(c.Writer.Status())).Inc()
		m.latency.WithLabelValues(route, method(c)).Observe(time.Since(start).Seconds())
	}
}

// bearerOnly lets through requests bearing the token (Authorization: Bearer TOKEN).
func bearerOnly(token string) gin.HandlerFunc {
	return func(c *gin.Context) {
		given, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
		if !ok || !auth.Equal(strings.TrimSpace(given), token) {
			c.Header("WWW-Authenticate", `Bearer realm="kb metrics"`)
			writeError(c, apperr.Errorf(apperr.Unauthorized, "the metrics need the configured token (Authorization: Bearer TOKEN)"))
			return
		}
		c.Next()
	}
}

func (m *Metrics) handler() gin.HandlerFunc {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return func(c *gin.Context) { h.ServeHTTP(c.Writer, c.Request) }
}

// statsCollector reads the knowledge base's figures at each scrape.
type statsCollector struct {
	svc interface {
		Stats(ctx context.Context) (app.Stats, error)
	}
}

var (
	descPractices   = prometheus.NewDesc("kb_practices", "Practices in the store.", nil, nil)
	descIndexDocs   = prometheus.NewDesc("kb_index_documents", "Practices in the search index.", nil, nil)
	descIndexBytes  = prometheus.NewDesc("kb_index_bytes", "Size of the search index on disk.", nil, nil)
	descIndexLag    = prometheus.NewDesc("kb_index_lag_changes", "Store changes the index has not applied yet.", nil, nil)
	descSubmissions = prometheus.NewDesc("kb_submissions", "Submissions by state.", []string{"state"}, nil)
	descPeerSuccess = prometheus.NewDesc("kb_peer_last_success_timestamp_seconds", "When each peer was last harvested without error (0: never).", []string{"peer"}, nil)
	descPeerFailed  = prometheus.NewDesc("kb_peer_failures", "Harvests of each peer that failed in a row.", []string{"peer"}, nil)
	descPeerRecords = prometheus.NewDesc("kb_peer_records_received_total", "Records received from each peer.", []string{"peer"}, nil)
	descAnswers     = prometheus.NewDesc("kb_answers_total", "Searches, suggestions and candidate lists, served again from the cache of recent answers or computed.", []string{"from"}, nil)
	descDiskFull    = prometheus.NewDesc("kb_store_disk_full", "1 while writes to the store fail because the disk is full (until a write succeeds), else 0.", nil, nil)
	descDamage      = prometheus.NewDesc("kb_store_damage", "Problems found in the store by the check at start, kb check or reads (0: none).", nil, nil)
)

func (statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPractices, descIndexDocs, descIndexBytes, descIndexLag, descSubmissions, descPeerSuccess, descPeerFailed, descPeerRecords, descAnswers, descDiskFull, descDamage} {
		ch <- d
	}
}

func (s statsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := s.svc.Stats(ctx)
	if err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(descPractices, prometheus.GaugeValue, float64(st.Practices))
	ch <- prometheus.MustNewConstMetric(descIndexDocs, prometheus.GaugeValue, float64(st.IndexDocuments))
	ch <- prometheus.MustNewConstMetric(descIndexBytes, prometheus.GaugeValue, float64(st.IndexBytes))
	ch <- prometheus.MustNewConstMetric(descIndexLag, prometheus.GaugeValue, float64(st.StoreSeq-min(st.StoreSeq, st.IndexSeq)))
	ch <- prometheus.MustNewConstMetric(descAnswers, prometheus.CounterValue, float64(st.AnswersServed), "cache")
	ch <- prometheus.MustNewConstMetric(descAnswers, prometheus.CounterValue, float64(st.AnswersComputed), "computed")
	ch <- prometheus.MustNewConstMetric(descDiskFull, prometheus.GaugeValue, boolGauge(st.DiskFull))
	ch <- prometheus.MustNewConstMetric(descDamage, prometheus.GaugeValue, float64(st.Damage))
	for state, n := range st.Submissions {
		ch <- prometheus.MustNewConstMetric(descSubmissions, prometheus.GaugeValue, float64(n), state)
	}
	for _, p := range st.Peers {
		success := 0.0
		if !p.LastSuccess.IsZero() {
			success = float64(p.LastSuccess.Unix())
		}
		ch <- prometheus.MustNewConstMetric(descPeerSuccess, prometheus.GaugeValue, success, p.Name)
		ch <- prometheus.MustNewConstMetric(descPeerFailed, prometheus.GaugeValue, float64(p.Failures), p.Name)
		ch <- prometheus.MustNewConstMetric(descPeerRecords, prometheus.CounterValue, float64(p.Received), p.Name)
	}
}

func boolGauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

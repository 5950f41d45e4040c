module github.com/uclg-digital-cities/kb

go 1.26.8

require (
	github.com/goccy/go-yaml v1.19.2
	golang.org/x/text v0.37.0
)

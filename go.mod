module github.com/vodhook/vodhook

go 1.26

require (
	github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common v1.3.213
	github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod v1.3.112
	github.com/tencentyun/scf-go-lib v0.0.0-20230904103145-13c9a7eeca80
	go.yaml.in/yaml/v3 v3.0.6
)

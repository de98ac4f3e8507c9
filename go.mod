module github.com/vodhook/vodhook

go 1.26

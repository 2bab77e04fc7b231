module autobuild.dev/bench/webhook/reference

go 1.19

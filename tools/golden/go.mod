module sd/tools/golden

go 1.19

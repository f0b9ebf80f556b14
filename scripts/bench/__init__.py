"""The parts of `make bench` (scripts/benchmark.py): the stock `rasa init` bot it compares
with (stock_bot), the traffic it sends (traffic), training times (training), staff edits
going live on a clone of the project (edit_to_live), and the table it prints (figures)."""

"""What the charts' font chooser tells the operator (handlers/charts.py)."""

NO_CJK_FONT = ("图表没有可用的中文字体，标签将使用英文 / no Chinese (CJK) font found: charts use English labels. "
               "修复 / fix: apt-get install fonts-noto-cjk, then restart ipbot.")

"""What the WeCom channel itself says (everything else comes from the handlers)."""

CARD_TITLE = "请选择"
IMAGE_TOO_LARGE = "（图片超过群机器人2MB的上限，请在电脑上用 ipbot survey report --format png 导出查看）"
BUTTONS_IN_APP = "（群机器人消息不带按钮：需要操作时请在应用里发送相应命令）"
MENU_MORE = "更多"

"""What the staff delivery view (/outbox) says."""

STATUS = "消息投递：待发送 {pending}，发送中 {sending}，已发送 {sent}，重试中 {failed}，已停发 {dead}。"
DEAD_TITLE = "已停发的消息（最近{count}条，可点按钮重发）："
DEAD_ITEM = "#{number} → {to}：{error}\n    内容：{text}"
NO_DEAD = "没有停发的消息。"
RETRY_BUTTON = "重发#{number}"
RETRIED = "已重新排队：#{number}，会尽快发送。"
NOT_DEAD = "#{number} 不是停发的消息（可能已经重发过）。"

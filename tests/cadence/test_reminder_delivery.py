"""A reminder leaves through the outbox and reaches a real webhook on loopback, once."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from service import promises
from service.ids import new_id
from service.store.tables import ChannelTargetRow, DeliveryRow
from tests.cadence.support import DRAFTER, open_incident, session_for
from tests.channels.receiver import Receiver, json_reply
from tests.delivery.test_worker import _run_worker


def test_reminder_reaches_the_oncall_webhook_once(db_url: str) -> None:
    t0 = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    config = promises.ClockConfig(
        drafter=DRAFTER, reminder_targets=["oncall"], console_url="https://herald.example"
    )
    with Receiver(lambda _: json_reply({"ok": True})) as receiver, session_for(db_url) as session:
        session.add(
            ChannelTargetRow(
                id=new_id(),
                channel="webhook",
                name="oncall",
                address=f"{receiver.base}/hook",
                secret="s3cret-for-tests",
                language="zh",
            )
        )
        session.commit()
        incident = open_incident(
            session,
            t0,
            name="支付失败",
            herald={
                "severity": "P0",
                "languages": ["zh"],
                "facts": {
                    "symptoms": ["部分用户支付失败"],
                    "detected_at": t0.isoformat(),
                    "timezone": "Asia/Shanghai",
                },
            },
        )
        result = promises.tick(session, t0 + timedelta(minutes=5), config)
        session.commit()
        assert result.reminders_queued == 1
        _run_worker(db_url, rounds=2)
        # A second pass of the clock sends nothing new.
        promises.tick(session, t0 + timedelta(minutes=6), config)
        session.commit()
        _run_worker(db_url, rounds=1)

        [request] = receiver.requests
        text = request.body.decode()
        assert "首次公告" in text
        assert "14:15 CST" in text  # 06:15 UTC, in the incident's zone
        assert f"https://herald.example/v1/drafts/{result.drafts[0]}" in text
        [row] = session.scalars(select(DeliveryRow).where(DeliveryRow.incident_id == incident))
        assert (row.target_kind, row.state) == ("reminder", "delivered")

#include "protocol/MessageCodec.h"

#include <QTest>

using namespace confab::protocol;

class TestMessageCodec : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(TestMessageCodec)
#include "tst_messagecodec.moc"
